import type { Model } from 'mongoose';
import { retryWhileBusy } from '../db/retry-while-busy';
import type { TeamsConversationDoc, TeamsConversationReference } from '../models/teams-conversation.model';

export type { TeamsConversationReference } from '../models/teams-conversation.model';

/** Whose conversation: a person's personal chat with the bot (by person id, as PeopleDirectory knows them), or a channel. */
export type TeamsConversationOwner = { personId: string } | { channelId: string };

/** How long a reference read is reused: one changes only when Teams moves a tenant to another Bot Connector address. */
const KEPT_MS = 60_000;
const KEPT_LIMIT = 10_000;

const FIELDS = ['serviceUrl', 'conversationId', 'tenantId', 'botId', 'teamId', 'userId'] as const;

/**
 * Where opsdesk can post in Teams unasked (SLA warnings, pages, approval requests, channel cards):
 * each person's personal chat with the bot and each channel it was added to, stored when the bot
 * first hears from them (installation, conversation update, message) and read by `_id` alone
 * (`teams:person:<person id>`, `teams:channel:<channel id>`).
 */
export class TeamsConversations {
  private readonly kept = new Map<string, { reference: TeamsConversationReference | undefined; at: number }>();

  constructor(
    private readonly conversations: Model<TeamsConversationDoc>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Stores where the owner is reached (written only when it changed: the bot may call this on every
   * activity). A channel's conversation id is stored without a thread's `;messageid=…`.
   */
  async remember(owner: TeamsConversationOwner, reference: TeamsConversationReference): Promise<void> {
    const id = idOf(owner);
    const clean: TeamsConversationReference = {
      serviceUrl: reference.serviceUrl,
      conversationId: 'channelId' in owner ? baseConversationId(reference.conversationId) : reference.conversationId,
      tenantId: reference.tenantId,
      botId: reference.botId,
      ...(reference.teamId ? { teamId: reference.teamId } : {}),
      ...(reference.userId ? { userId: reference.userId } : {}),
    };
    for (const field of ['serviceUrl', 'conversationId', 'tenantId', 'botId'] as const) {
      if (!clean[field]) throw new Error(`a Teams conversation reference needs its ${field}`);
    }
    // What this process read or wrote within the minute is compared with: an unchanged reference costs no write.
    const known = await this.read(id);
    if (known && FIELDS.every((f) => known[f] === clean[f])) return;
    const unset = Object.fromEntries(FIELDS.filter((f) => clean[f] === undefined).map((f) => [f, '']));
    await retryWhileBusy(() =>
      this.conversations.updateOne({ _id: id }, { $set: { ...clean, at: this.now() }, ...(Object.keys(unset).length ? { $unset: unset } : {}) }, { upsert: true }),
    );
    this.keep(id, clean);
  }

  /** The person's personal chat with the bot, if they ever opened it (or installed the app for themselves). */
  person(personId: string): Promise<TeamsConversationReference | undefined> {
    return this.read(idOf({ personId }));
  }

  /** The channel's conversation, if the bot was added to its team (and heard of the channel). */
  channel(channelId: string): Promise<TeamsConversationReference | undefined> {
    return this.read(idOf({ channelId: baseConversationId(channelId) }));
  }

  private async read(id: string): Promise<TeamsConversationReference | undefined> {
    const kept = this.kept.get(id);
    if (kept && Date.now() - kept.at < KEPT_MS) return kept.reference;
    const doc = await this.conversations.findById(id).lean<TeamsConversationDoc>();
    const reference = doc ? referenceOf(doc) : undefined;
    this.keep(id, reference);
    return reference;
  }

  private keep(id: string, reference: TeamsConversationReference | undefined): void {
    if (this.kept.size >= KEPT_LIMIT) this.kept.clear();
    this.kept.set(id, { reference, at: Date.now() });
  }
}

const idOf = (owner: TeamsConversationOwner): string => ('personId' in owner ? `teams:person:${owner.personId}` : `teams:channel:${owner.channelId}`);

/** A channel thread's conversation id names its first message (`19:…@thread.tacv2;messageid=…`): the channel is before it. */
export const baseConversationId = (conversationId: string): string => conversationId.split(';')[0] ?? conversationId;

function referenceOf(doc: TeamsConversationDoc): TeamsConversationReference {
  return {
    serviceUrl: doc.serviceUrl,
    conversationId: doc.conversationId,
    tenantId: doc.tenantId,
    botId: doc.botId,
    ...(doc.teamId ? { teamId: doc.teamId } : {}),
    ...(doc.userId ? { userId: doc.userId } : {}),
  };
}
