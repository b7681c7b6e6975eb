import type { NextFunction, Response } from 'express';
import type { Logger } from 'pino';
import type { CheckedSlackRequest } from './slack-request-gate';
import { UnansweredRequests, type OverloadLimits } from '../../../src/server/unanswered-requests';

/** Seconds Slack is asked to wait before resending an event turned away. */
const EVENT_RETRY_AFTER_S = 30;

type Body = Record<string, any>;

/**
 * A process already holding more than it can answer in time turns new requests away at once and
 * says so, rather than answering them in silence after Slack's 3 s: a command's person reads that
 * opsdesk is busy; a form stays open with that line under its first field (nothing typed is lost);
 * a click's person is told through its response URL; an event is answered 503 so that Slack sends it
 * again later. Nothing of a request turned away is stored. Runs after the signature and shape checks:
 * the body is the checked JSON object.
 */
export function slackOverloadGate(options: { limits: OverloadLimits; workInFlight: () => number; busyText: () => string; log: Logger }) {
  const unanswered = new UnansweredRequests(options.limits, options.workInFlight);
  return (req: CheckedSlackRequest, res: Response, next: NextFunction): void => {
    const body = (req.slackBody ?? {}) as Body;
    if (unanswered.overloaded() && body.type !== 'url_verification' && body.ssl_check === undefined) {
      options.log.warn({ ...unanswered.describe(), kind: body.command ?? body.type }, 'Slack request turned away: opsdesk is busy');
      turnAway(body, res, options.busyText(), options.log);
      return;
    }
    unanswered.track(res);
    next();
  };
}

function turnAway(body: Body, res: Response, text: string, log: Logger): void {
  if (typeof body.command === 'string') {
    res.status(200).json({ response_type: 'ephemeral', text });
    return;
  }
  switch (body.type) {
    case 'view_submission': {
      const field = (body.view?.blocks as { type?: string; block_id?: string }[] | undefined)?.find((b) => b.type === 'input')?.block_id;
      if (field) res.status(200).json({ response_action: 'errors', errors: { [field]: text } });
      else res.status(200).end();
      return;
    }
    case 'block_suggestion':
      res.status(200).json({ options: [] });
      return;
    case 'event_callback':
      res.status(503).set('retry-after', String(EVENT_RETRY_AFTER_S)).end();
      return;
    default:
      // A click or a shortcut: answered, and told through its response URL when it has one.
      res.status(200).end();
      if (typeof body.response_url === 'string' && body.response_url.startsWith('http')) {
        fetch(body.response_url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
        }).catch((error: unknown) => log.warn({ err: error }, 'could not say that opsdesk is busy'));
      }
  }
}
