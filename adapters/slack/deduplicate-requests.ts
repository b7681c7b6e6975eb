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

/** Thrown out of `ack` to stop a listener from doing again what an earlier delivery did. */
export class DuplicateDelivery extends Error {
  constructor(readonly key: string) {
    super(`already handled: ${key}`);
    this.name = 'DuplicateDelivery';
  }
}

/**
 * Slack resends a request it thinks failed (X-Slack-Retry-Num); Bolt passes each one on. The
 * first delivery claims the request's key in the database, a later one does nothing.
 *
 * The claim is made right after the acknowledgement, never before it: nothing on the way to `ack`
 * waits for the database. Listeners acknowledge first, so a duplicate stops there (its `ack`
 * throws DuplicateDelivery, which the app's error handler ignores). Events are acknowledged by the
 * receiver itself, so they are claimed before the listener runs. A delivery that fails releases
 * its claim, so that a retry can do the work.
 */
export function deduplicateRequests(keys: Model<RecordKeyDoc>): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const key = requestKeyOf(args.body as unknown as Record<string, unknown>);
    if (!key) return args.next();
    const claim = `slack-request:${key}`;
    const mutable = args as unknown as { ack?: (...a: unknown[]) => Promise<void> };
    if (typeof mutable.ack === 'function') {
      const ack = mutable.ack;
      mutable.ack = async (...response: unknown[]) => {
        await ack(...response);
        if (!(await claimKey(keys, claim, 'slack'))) throw new DuplicateDelivery(key);
      };
    } else if (!(await claimKey(keys, claim, 'slack'))) {
      return;
    }
    try {
      await args.next();
    } catch (error) {
      if (error instanceof DuplicateDelivery) return;
      await releaseKey(keys, claim, 'slack');
      throw error;
    }
  };
}
