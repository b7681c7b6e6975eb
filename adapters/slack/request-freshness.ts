import type { NextFunction, Request, Response } from 'express';

/** Slack's window: a request signed more than 5 minutes ago, or ahead of us, is refused. */
export const MAX_SKEW_SECONDS = 5 * 60;

/**
 * Bolt refuses stale timestamps but accepts future ones; a replayed or forged request dated
 * ahead would pass. This refuses both (401) before Bolt reads the body.
 */
export function requireFreshTimestamp(now: () => number = Date.now) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.header('x-slack-request-timestamp');
    const timestamp = header && /^\d+$/.test(header) ? Number(header) : NaN;
    const skew = Math.abs(Math.floor(now() / 1000) - timestamp);
    if (!Number.isFinite(timestamp) || skew > MAX_SKEW_SECONDS) {
      res.status(401).json({ error: 'stale, future-dated or missing X-Slack-Request-Timestamp' });
      return;
    }
    next();
  };
}
