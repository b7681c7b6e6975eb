import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../src/logger';
import { UnansweredRequests, type OverloadLimits } from '../../src/server/unanswered-requests';
import { TEAMS_INVOKES } from './teams-invokes';

/** Seconds the Bot Connector is asked to wait before sending a message again. */
const MESSAGE_RETRY_AFTER_S = 30;

/**
 * A process already holding more than it can answer in time turns new activities away at once
 * and says so, rather than answering a click after Teams has given up on it (an invoke is
 * answered within seconds or the person sees an error): a click is answered with the line that
 * opsdesk is busy, a type-ahead with no suggestions, a message with 503 so that Teams sends it
 * again later. Nothing of an activity turned away is stored or done.
 */
export function teamsOverloadGate(options: { limits: OverloadLimits; workInFlight: () => number; busyText: () => string; log: Logger }) {
  const unanswered = new UnansweredRequests(options.limits, options.workInFlight);
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!unanswered.overloaded()) {
      unanswered.track(res);
      next();
      return;
    }
    const activity = req.body as { type?: string; name?: string };
    options.log.warn({ ...unanswered.describe(), kind: activity.name ?? activity.type }, 'Teams activity turned away: opsdesk is busy');
    if (activity.type === 'invoke' && activity.name === TEAMS_INVOKES.cardAction) {
      res.status(200).json({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: options.busyText() });
    } else if (activity.type === 'invoke' && activity.name === TEAMS_INVOKES.search) {
      res.status(200).json({ statusCode: 200, type: 'application/vnd.microsoft.search.searchResponse', value: { results: [] } });
    } else {
      res.status(503).set('retry-after', String(MESSAGE_RETRY_AFTER_S)).json({ error: 'opsdesk is busy: send this again later' });
    }
  };
}
