import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Model } from 'mongoose';
import type { RecordKeyDoc } from '../../src/models/counter.model';
import { claimKey, releaseKey } from '../../src/services/record-keys';

/** What identifies one Slack request across its retries: the event id, or the interaction's trigger id. */
export function requestKeyOf(body: Record<string, unknown>): string | null {
  if (typeof body.event_id === 'string') return `event:${body.event_id}`;
  if (typeof body.trigger_id === 'string') return `${typeof body.type === 'string' ? body.type : 'command'}:${body.trigger_id}`;
  return null;
}

/**
 * Slack resends a request it thinks failed (X-Slack-Retry-Num); Bolt passes each one on. The
 * first delivery claims the request's key; a later one is acknowledged and does nothing. A
 * delivery that fails releases its claim, so a retry can do the work.
 */
export function deduplicateRequests(keys: Model<RecordKeyDoc>): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const key = requestKeyOf(args.body as unknown as Record<string, unknown>);
    if (!key) return args.next();
    const claim = `slack-request:${key}`;
    if (!(await claimKey(keys, claim, 'slack'))) {
      if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)();
      return;
    }
    try {
      await args.next();
    } catch (error) {
      await releaseKey(keys, claim, 'slack');
      throw error;
    }
  };
}
