import type { Pace } from '../../src/services/pacing';

/**
 * Microsoft's published limits for bots in Teams (learn.microsoft.com, "Optimize your bot with rate
 * limiting in Teams"): per bot per conversation ("thread"), 7 operations a second, 8 in 2 s, 60 in
 * 30 s and 1,800 in an hour; and 50 requests a second per app per tenant, whatever the conversation.
 *
 * The hour's 1,800 is the binding one for a busy conversation: one message a second would be turned
 * away after half an hour of it. So a conversation gets a few at once after a quiet spell, then one
 * turn every 2 s, which keeps every window (1 s, 2 s, 30 s, an hour) within its limit, and the
 * tenant a little under its 50 a second. Edits of a card count against its conversation too, and a
 * reply in a channel thread against its channel.
 */
export const CONVERSATION_BURST = 3;
export const CONVERSATION_OPERATIONS_PER_HOUR = 1_800;
export const TENANT_REQUESTS_PER_SECOND = 50;
const OUR_TENANT_REQUESTS_PER_SECOND = 40;
const TENANT_BURST = 5;

/** One operation per conversation turn: a turn the burst may have begun already still counts in its hour. */
export const CONVERSATION_INTERVAL_MS = Math.ceil(3_600_000 / (CONVERSATION_OPERATIONS_PER_HOUR - CONVERSATION_BURST - 1));

/** The turns of one conversation (a channel's threads share the channel's). */
export function conversationPace(tenantId: string, conversationId: string): Pace {
  return { key: `teams:${tenantId}:conversation:${conversationId}`, intervalMs: CONVERSATION_INTERVAL_MS, burst: CONVERSATION_BURST };
}

/** Every call of the app in the tenant, whatever the conversation. */
export function tenantPace(tenantId: string): Pace {
  return { key: `teams:${tenantId}:app`, intervalMs: Math.ceil(1000 / OUR_TENANT_REQUESTS_PER_SECOND), burst: TENANT_BURST };
}
