import { randomUUID } from 'node:crypto';
import type { NextFunction, Response } from 'express';
import { acceptIntoIntake, handOver, requestKeyOf, withdrawLate } from '../after-ack';
import type { SlackDeps } from '../slack-context';
import { SLACK_EVENTS } from '../slack-ids';
import type { CheckedSlackRequest } from './slack-request-gate';

/**
 * Slack gives up on an answer after 3 s and tells the person it failed; Bolt answers for itself
 * after 3,001 ms. A request stored later than that is withdrawn, not done.
 */
export const ANSWER_WITHIN_MS = 3_000;

/** The events whose listeners only hand their work over; others (an uninstall) go through Bolt. */
const HANDED_OVER_EVENTS: ReadonlySet<string> = new Set([SLACK_EVENTS.mention, SLACK_EVENTS.homeOpened]);

/**
 * How a request whose answer says only "received" is handed over: `store` first in the intake (a
 * click changes something), or `answer` at once (a command, a shortcut, an event: the intake never
 * holds them); `ignore`: answered, and there is no work (App Home's other tabs, sent on every
 * visit, or a mention by no person). Undefined when Bolt answers it in this thread: its answer has
 * content (a form's field errors, a menu's options), it is Slack's own check, or an uninstall.
 */
export function handOverWayOf(body: Record<string, any>): 'store' | 'answer' | 'ignore' | undefined {
  if (typeof body.command === 'string') return 'answer';
  switch (body.type) {
    case 'block_actions':
      return 'store';
    case 'message_action':
    case 'shortcut':
      return 'answer';
    case 'event_callback': {
      const event = body.event as { type?: string; tab?: string; user?: unknown } | undefined;
      if (!event?.type || !HANDED_OVER_EVENTS.has(event.type)) return undefined;
      const nothingToDo = typeof event.user !== 'string' || (event.type === SLACK_EVENTS.homeOpened && event.tab !== 'home');
      return nothingToDo ? 'ignore' : 'answer';
    }
    default:
      return undefined;
  }
}

/**
 * The last of our steps before Bolt. With a work thread, a command, a click, a shortcut or an event
 * is stored when it changes something, answered and handed over here, without Bolt: Bolt's
 * matching and middleware run once, in the work thread, rather than in this thread too, whose only
 * job is to answer within Slack's 3 s. Everything else reaches Bolt as the JSON object checked.
 */
export function slackHandOverGate(deps: SlackDeps) {
  return (req: CheckedSlackRequest, res: Response, next: NextFunction): void => {
    const body = req.slackBody ?? {};
    const way = deps.handOff ? handOverWayOf(body) : undefined;
    if (!deps.handOff || !way) {
      req.rawBody = Buffer.from(JSON.stringify(body));
      req.headers['content-type'] = 'application/json';
      next();
      return;
    }
    if (way === 'ignore') {
      res.writeHead(200).end();
      return;
    }
    const receivedAt = Date.now();
    if (way === 'answer') {
      res.writeHead(200).end();
      handOver(deps, deps.handOff, { body, receivedAt });
      return;
    }
    void storeThenHandOver(deps, deps.handOff, body, res, receivedAt);
  };
}

/** Stored before the answer: if this process dies before the work is done, the intake replays it. */
async function storeThenHandOver(deps: SlackDeps, handOff: NonNullable<SlackDeps['handOff']>, body: Record<string, unknown>, res: Response, receivedAt: number): Promise<void> {
  const { log } = deps.opsdesk;
  const key = requestKeyOf(body);
  let late = false;
  const deadline = setTimeout(() => {
    late = true;
    res.writeHead(503).end();
  }, ANSWER_WITHIN_MS);
  let accepted: boolean;
  try {
    accepted = await acceptIntoIntake(deps, body);
  } catch (error) {
    clearTimeout(deadline);
    // The person sees that it failed and clicks again; nothing was stored.
    const errorId = randomUUID();
    log.error({ errorId, err: error, requestKey: key }, 'could not store a Slack request before answering it');
    if (!late) res.writeHead(500).end();
    return;
  }
  clearTimeout(deadline);
  if (late) {
    await withdrawLate(deps, body, accepted);
    return;
  }
  res.writeHead(200).end();
  handOver(deps, handOff, { body, receivedAt, accepted });
}
