import type { TeamsConversationReference } from '../../src/services/teams-conversations';

export type { TeamsConversationReference } from '../../src/services/teams-conversations';

/** A Bot Framework activity as sent (`{ type: 'message', attachments: [adaptive card] }`, `{ type: 'message', text }`). */
export type TeamsActivity = object;

/**
 * The Bot Connector as the outbox uses it: post into a conversation opsdesk stored a reference to,
 * and edit a message it posted there. Implemented by the Teams bot over botbuilder's
 * `CloudAdapter.continueConversationAsync` (its own credentials and token); the tests use a fake.
 *
 * Neither call retries by itself: a refusal is thrown at once as a TeamsApiError (any other error
 * is taken for the network), and the notifier tries again after the platform's Retry-After or its
 * own back-off.
 */
export interface TeamsConnector {
  /**
   * Posts `activity` into the reference's conversation (a channel thread's reply: a conversation id
   * `<channel id>;messageid=<first message's id>`); resolves to the new activity's id.
   */
  send(reference: TeamsConversationReference, activity: TeamsActivity): Promise<{ id: string }>;
  /** Replaces the message `activityId` of the reference's conversation with `activity`. */
  update(reference: TeamsConversationReference, activityId: string, activity: TeamsActivity): Promise<void>;
}

/** The Bot Connector refused a call: its HTTP status, and how long it asked us to wait (Retry-After), if it did. */
export class TeamsApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'TeamsApiError';
  }
}

/**
 * The TeamsApiError for what botbuilder threw (an Azure `RestError`: `statusCode`, and the response's
 * `retry-after` header), or the error itself when it carries no status (the network, a timeout).
 */
export function teamsApiErrorOf(error: unknown): unknown {
  const e = error as { statusCode?: unknown; message?: string; response?: { headers?: { get?(name: string): string | undefined } | Record<string, unknown> } };
  if (typeof e?.statusCode !== 'number') return error;
  const headers = e.response?.headers;
  const header = typeof headers?.get === 'function' ? headers.get('retry-after') : (headers as Record<string, unknown> | undefined)?.['retry-after'];
  const retryAfterMs = retryAfterToMs(typeof header === 'string' ? header : undefined);
  return new TeamsApiError(e.statusCode, e.message ?? `HTTP ${e.statusCode}`, retryAfterMs);
}

/** A Retry-After header (seconds, or an HTTP date) in milliseconds from now. */
export function retryAfterToMs(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** What an incoming activity says about its conversation, to store with `TeamsConversations.remember`. */
export interface IncomingActivityShape {
  serviceUrl?: string;
  conversation?: { id?: string; tenantId?: string; conversationType?: string };
  recipient?: { id?: string };
  from?: { id?: string };
  channelData?: { tenant?: { id?: string }; team?: { id?: string }; channel?: { id?: string } };
}

/**
 * The reference to store from an incoming activity (installationUpdate, conversationUpdate, message):
 * in a personal chat, with the user; in a channel, the channel's own conversation (a thread's
 * `;messageid=` dropped) and its team. Undefined when the activity lacks what a proactive message needs.
 */
export function referenceFromActivity(activity: IncomingActivityShape): { reference: TeamsConversationReference; channelId?: string } | undefined {
  const serviceUrl = activity.serviceUrl;
  const tenantId = activity.channelData?.tenant?.id ?? activity.conversation?.tenantId;
  const botId = activity.recipient?.id;
  const channelId = activity.channelData?.channel?.id;
  const conversationId = channelId ?? activity.conversation?.id?.split(';')[0];
  if (!serviceUrl || !tenantId || !botId || !conversationId) return undefined;
  const personal = activity.conversation?.conversationType === 'personal';
  const reference: TeamsConversationReference = {
    serviceUrl,
    conversationId,
    tenantId,
    botId,
    ...(activity.channelData?.team?.id ? { teamId: activity.channelData.team.id } : {}),
    ...(personal && activity.from?.id ? { userId: activity.from.id } : {}),
  };
  return channelId ? { reference, channelId } : { reference };
}
