import { createHash } from 'node:crypto';
import { ErrorCode, type WebClient } from '@slack/web-api';
import type { Pace, Pacer } from '../../src/services/pacing';

/**
 * Slack's published Web API limits (docs.slack.dev, "Rate limits"), per method, app and workspace:
 * Tier 3 is 50+ calls a minute, Tier 4 100+; chat.postMessage is about one message a second per
 * channel, with short bursts. The recording Slack API of the tests enforces the same table.
 */
export const METHOD_TIERS: Readonly<Record<string, number>> = {
  'chat.update': 50,
  'chat.delete': 50,
  'conversations.open': 50,
  'conversations.history': 50,
  'conversations.replies': 50,
  'users.lookupByEmail': 50,
  'chat.postEphemeral': 100,
  'chat.getPermalink': 100,
  'views.publish': 100,
  'views.open': 100,
  'views.update': 100,
  'users.info': 100,
};

export const POSTS_PER_CHANNEL_PER_SECOND = 1;
/** What the tests' stand-in lets through at once into a quiet channel; we use less than that. */
export const CHANNEL_BURST = 3;
/**
 * No burst of our own: a call leaves when its turn begins, but reaches Slack whenever the network
 * and a busy process let it, so calls of consecutive turns can arrive together. Without a burst,
 * Slack's allowance is left for that jitter (a call's worth more than with ours), rather than spent
 * at a quiet start.
 */
const OUR_CHANNEL_BURST = 1;
const OUR_METHOD_BURST = 3;
/**
 * Bursts of methods whose callers cannot wait their turns: a modal opens within 3 s of its trigger,
 * and people open forms together (the first minutes of an outage). Spaced so that a minute still
 * holds the tier's calls with the burst included.
 */
const METHOD_BURSTS: Readonly<Record<string, number>> = { 'views.open': 20 };

/** One message a second into `channel` (a thread's replies count against their channel). */
export function channelPace(workspace: string, channel: string): Pace {
  return { key: `slack:${workspace}:post:${channel}`, intervalMs: 1000 / POSTS_PER_CHANNEL_PER_SECOND, burst: OUR_CHANNEL_BURST };
}

/** A method's per-minute tier, spaced so that a minute holds the tier's calls with the burst included. */
export function methodPace(workspace: string, method: string): Pace {
  const perMinute = METHOD_TIERS[method] ?? 20;
  const burst = METHOD_BURSTS[method] ?? OUR_METHOD_BURST;
  return { key: `slack:${workspace}:${method}`, intervalMs: Math.ceil(60_000 / (perMinute - burst - 1)), burst };
}

/** Which workspace a client acts in, for its limits: a digest of its token (never the token itself). */
export function workspaceOf(client: WebClient): string {
  return createHash('sha256').update(client.token ?? '').digest('hex').slice(0, 12);
}

/** Not yet: the turn, or the card or digest a message waits for, is further off than an attempt may hold. */
export class NotYet extends Error {
  constructor(
    /** When to try again; none: the notifier's back-off (growing with the attempts). */
    readonly afterMs: number | undefined,
    reason: string,
  ) {
    super(reason);
  }
}

/** Waits for a turn at `method` within its tier; NotYet when the turn is further off than `maxWaitMs`. */
export async function waitForMethodTurn(pacer: Pacer, client: WebClient, method: string, maxWaitMs: number, stopping?: AbortSignal): Promise<void> {
  const { ready, waitMs } = await pacer.waitForTurn(methodPace(workspaceOf(client), method), maxWaitMs, stopping);
  if (!ready) throw new NotYet(waitMs, `waiting for a turn (${method})`);
}

/** How long Slack's 429 asks to wait (its Retry-After, at least a second); undefined for any other failure. */
export function rateLimitedForMs(error: unknown): number | undefined {
  const refused = error as { code?: unknown; retryAfter?: unknown } | null;
  if (refused?.code !== ErrorCode.RateLimitedError) return undefined;
  return Math.max(1, typeof refused.retryAfter === 'number' ? refused.retryAfter : 1) * 1000;
}
