import type { ItsmCatalog } from '../../src/config/itsm-catalog';
import type { Logger } from '../../src/logger';
import type { NotificationDoc } from '../../src/models/notification.model';
import { cardEditHolder, type CardLocations } from '../../src/services/card-locations';
import { ATTEMPT_LEASE_MS, type DeliveryOutcome, type NotificationDeliverer } from '../../src/services/notifier';
import { OneAtATime } from '../../src/services/one-at-a-time';
import { OutdoneByNewerEdit, type Pacer, type TurnHolder } from '../../src/services/pacing';
import { baseConversationId, type TeamsConversations } from '../../src/services/teams-conversations';
import type { CardView } from '../../src/views/view-model';
import { TeamsApiError, type TeamsActivity, type TeamsConnector, type TeamsConversationReference } from './teams-connector';
import { conversationPace, tenantPace } from './teams-limits';

/** A thread line whose card is on its way (or an edit of a card being posted) first looks again this soon. */
const CARD_PENDING_RETRY_MS = 3_000;
/** How long before a reserved turn its delivery comes back (more than the timer wheel's lateness, less than MAX_HOLD_MS). */
const COME_BACK_EARLY_MS = 15_000;
/** Waiting for a turn longer than this is left to the timer (the attempt's lease must not run out meanwhile). */
const MAX_HOLD_MS = 30_000;
/** Refusals that trying again cannot mend: a malformed or too large activity, no access, no such conversation or message. */
const FINAL_STATUSES = new Set([400, 403, 404, 413]);
/** A Retry-After is waited out, plus up to this share of it: deliveries refused together do not come back together. */
const RETRY_AFTER_JITTER = 0.1;

export interface TeamsDelivererDeps {
  catalog: ItsmCatalog;
  conversations: TeamsConversations;
  cards: CardLocations;
  pacer: Pacer;
  connector: TeamsConnector;
  /** The Adaptive Card activity of a card (the Teams renderer's `renderCardActivity`). */
  draw: (view: CardView) => TeamsActivity;
  /** The notifier's stopping signal: a wait for a turn ends with it. */
  stopping?: AbortSignal;
  log: Logger;
}

/** Trying again cannot help (no conversation, no channel configured): the notification fails with this. */
class Undeliverable extends Error {}

/** Not yet: the turn, or the card a message waits for, is further off than an attempt may hold. */
class NotYet extends Error {
  constructor(
    /** When to try again; none: the notifier's back-off (growing with the attempts). */
    readonly afterMs: number | undefined,
    reason: string,
  ) {
    super(reason);
  }
}

/** Where a record's card goes: the conversation, the card's own location key (`where`), and whether it stays there. */
interface CardPlace {
  reference: TeamsConversationReference;
  where?: string;
  fixed: boolean;
}

/**
 * Posts the outbox to Microsoft Teams through the conversation references the bot stored: a
 * record's card in its service's channel (posted once, then edited in place, never an older version
 * over a newer), its thread lines as replies under it, a person's warning, page or approval request
 * in their personal chat with the bot, a group's card in the group's channel, a P1 in the
 * major-incident channel. Every call takes its turn within Teams' limits (teams-limits.ts); a
 * refusal comes back to the notifier with Teams' Retry-After or for its back-off.
 */
export class TeamsNotificationDeliverer implements NotificationDeliverer {
  readonly platform = 'teams';
  /** One delivery at a time per card in this process: its version is checked and drawn without another's edit between. */
  private readonly perCard = new OneAtATime();

  constructor(private readonly deps: TeamsDelivererDeps) {}

  async deliver(notification: NotificationDoc, again = false): Promise<DeliveryOutcome> {
    try {
      const { audience } = notification;
      switch (audience.kind) {
        case 'reply':
          return { kind: 'delivered' }; // answered by the bot in the turn itself
        case 'card':
        case 'person-card':
        case 'group-card': {
          const place = await this.cardPlaceOf(notification);
          const key = `${notification.recordId}:${place.where ?? 'channel'}`;
          return await this.perCard.run(key, () => this.postCard(notification, place, again));
        }
        case 'thread':
          return await this.postLine(notification, audience, again);
        case 'person':
          return await this.post(notification, await this.personalChat(audience.personId), this.deps.draw(notification.view), again);
        case 'major-incident': {
          const channel = this.deps.catalog.config.majorIncidentChannel?.teams;
          if (!channel) throw new Undeliverable('no Teams major-incident channel is configured');
          return await this.post(notification, await this.channelConversation(channel), this.deps.draw(notification.view), again);
        }
        default:
          throw new Undeliverable(`no Teams target for ${(audience as { kind: string }).kind}`);
      }
    } catch (error) {
      return outcomeOf(error);
    }
  }

  /**
   * The Bot Connector keeps no history a bot may read back (Teams answers no "get activities"; Graph
   * would need read permissions on every chat and channel), so what reached Teams can be told only
   * from what we wrote after it: a card whose location shows this version or a newer one was drawn.
   * Anything else is sent again: an edit draws the same card again, a message may be read twice (a
   * person would rather), and a first post whose location was never written is posted once more
   * after its claim's lease.
   */
  async wasDelivered(notification: NotificationDoc): Promise<boolean> {
    const { audience } = notification;
    if (audience.kind !== 'card' && audience.kind !== 'person-card' && audience.kind !== 'group-card') return false;
    const known = await this.deps.cards.find(notification.recordId, 'teams', cardWhere(notification));
    return Boolean(known?.messageId) && notification.view.version !== undefined && (known?.version ?? -1) >= notification.view.version;
  }

  /** Where a card goes: its service's channel, a group's channel, or the person's personal chat. */
  private async cardPlaceOf(notification: NotificationDoc): Promise<CardPlace> {
    const { audience } = notification;
    if (audience.kind === 'person-card') return { reference: await this.personalChat(audience.personId), where: cardWhere(notification), fixed: true };
    if (audience.kind === 'group-card') {
      const channel = this.deps.catalog.groups.get(audience.group)?.channels.teams;
      if (!channel) throw new Undeliverable(`no Teams channel is configured for the group ${audience.group}`);
      return { reference: await this.channelConversation(channel), where: cardWhere(notification), fixed: true };
    }
    const service = audience.kind === 'card' ? audience.service : '';
    const channel = this.deps.catalog.channelFor(service, 'teams');
    if (!channel) throw new Undeliverable(`no Teams channel is configured for the service ${service}`);
    return { reference: await this.channelConversation(channel), fixed: false };
  }

  /**
   * The record's card: edited in place where it is (unless a newer version is drawn already), else
   * posted once, its first post claimed so that a racing delivery waits instead of posting a second.
   * A service's card moves with its record to another service's channel; a person's or group's stays.
   */
  private async postCard(notification: NotificationDoc, place: CardPlace, again: boolean): Promise<DeliveryOutcome> {
    const holder = { id: notification._id, again };
    const { recordId, view } = notification;
    const { reference, where } = place;
    const channel = reference.conversationId;
    const { cards } = this.deps;
    let known = await cards.find(recordId, 'teams', where);
    if (known && !known.messageId && known.claimedBy !== notification._id) {
      const claimedFor = Date.now() - new Date(known.claimedAt ?? known.at).getTime();
      if (claimedFor < ATTEMPT_LEASE_MS) throw new NotYet(again ? undefined : CARD_PENDING_RETRY_MS, 'the card is being posted');
      // Claimed by a process that died posting, and Teams keeps no history to look in: posted again,
      // by one delivery only (the taking over is claimed too).
      if (!(await cards.takeOverFirstPost(recordId, 'teams', known.claimedBy ?? '', notification._id, where))) {
        throw new NotYet(again ? undefined : CARD_PENDING_RETRY_MS, 'the card is being posted');
      }
      this.deps.log.warn({ recordId, where, claimedBy: known.claimedBy }, 'a Teams card claimed by a delivery that died is posted again');
      known = { ...known, claimedBy: notification._id };
    }
    const activity = this.deps.draw(view);
    if (known?.messageId && (place.fixed || known.channel === channel)) {
      const location = { channel: known.channel, messageId: known.messageId };
      if ((known.version ?? -1) > (view.version ?? -1)) return { kind: 'delivered', location }; // a newer card is drawn
      const messageId = known.messageId;
      const edit = cardEditHolder(recordId, 'teams', where, notification._id, view.version, again);
      try {
        await this.paced(reference, async () => {
          // A newer edit may have drawn it while this one waited for its turn.
          if (await cards.drawnNewer(recordId, 'teams', view.version, where)) return;
          await this.deps.connector.update(reference, messageId, activity);
          await cards.remember(recordId, 'teams', location.channel, location.messageId, view.version, where);
        }, edit);
      } catch (error) {
        if (error instanceof OutdoneByNewerEdit) return { kind: 'delivered', location }; // the newer edit draws it
        throw error;
      }
      return { kind: 'delivered', location };
    }
    // Our own claim (an earlier attempt of this delivery was refused) lets us post; none yet, we claim it.
    if (!known && !(await cards.claimFirstPost(recordId, 'teams', channel, notification._id, new Date(), where))) {
      throw new NotYet(again ? undefined : CARD_PENDING_RETRY_MS, 'the card is being posted');
    }
    const posted = await this.paced(reference, () => this.deps.connector.send(reference, activity), holder);
    await cards.remember(recordId, 'teams', channel, posted.id, view.version, where);
    return { kind: 'delivered', location: { channel, messageId: posted.id } };
  }

  /**
   * A line in the record's card thread: a reply to the card (conversation `<channel>;messageid=<card>`).
   * With no card yet, a handler's line (`afterCard`) waits for it; a job's line (an SLA warning) is
   * posted as a card of its own in the service's channel instead.
   */
  private async postLine(notification: NotificationDoc, audience: { service: string; afterCard?: boolean }, again: boolean): Promise<DeliveryOutcome> {
    const card = await this.deps.cards.postedAt(notification.recordId, 'teams');
    if (card) {
      const channel = await this.channelConversation(card.channel);
      const thread = { ...channel, conversationId: `${baseConversationId(card.channel)};messageid=${card.messageId}` };
      const { view } = notification;
      return this.post(notification, thread, { type: 'message', text: view.text ?? view.title, textFormat: 'plain' }, again);
    }
    // Usually a moment away; else it may be far off (its channel backed up): tried again after a growing wait.
    if (audience.afterCard) throw new NotYet(again ? undefined : CARD_PENDING_RETRY_MS, 'the card of this line is not posted yet');
    const channel = this.deps.catalog.channelFor(audience.service, 'teams');
    if (!channel) throw new Undeliverable(`no Teams channel is configured for the service ${audience.service}`);
    return this.post(notification, await this.channelConversation(channel), this.deps.draw(notification.view), again);
  }

  private async post(notification: NotificationDoc, reference: TeamsConversationReference, activity: TeamsActivity, again: boolean): Promise<DeliveryOutcome> {
    const posted = await this.paced(reference, () => this.deps.connector.send(reference, activity), { id: notification._id, again });
    return { kind: 'delivered', location: { channel: baseConversationId(reference.conversationId), messageId: posted.id } };
  }

  /**
   * Waits for the conversation's turn, then the tenant's, and makes the call; a conversation turn
   * further off than an attempt may hold is reserved for the delivery, which comes back at it.
   */
  private async paced<T>(reference: TeamsConversationReference, call: () => Promise<T>, holder: TurnHolder): Promise<T> {
    const { pacer, stopping } = this.deps;
    const conversation = await pacer.waitForTurn(conversationPace(reference.tenantId, baseConversationId(reference.conversationId)), MAX_HOLD_MS, stopping, holder);
    if (stopping?.aborted) throw new NotYet(0, 'handed back: the process is stopping');
    // A reserved turn is come back to a little early (the timer wheel fires up to a bucket late), then waited for here.
    if (!conversation.ready) throw new NotYet(Math.max(0, conversation.waitMs - COME_BACK_EARLY_MS), `waiting for a turn in ${reference.conversationId}`);
    const tenant = await pacer.waitForTurn(tenantPace(reference.tenantId), MAX_HOLD_MS, stopping);
    if (stopping?.aborted) throw new NotYet(0, 'handed back: the process is stopping');
    if (!tenant.ready) throw new NotYet(tenant.waitMs, `waiting for a turn of the tenant ${reference.tenantId}`);
    return call();
  }

  private async personalChat(personId: string): Promise<TeamsConversationReference> {
    const reference = await this.deps.conversations.person(personId);
    if (!reference) throw new Undeliverable(`${personId} has never opened a chat with the opsdesk bot in Teams (no conversation stored to message them in)`);
    return reference;
  }

  private async channelConversation(channelId: string): Promise<TeamsConversationReference> {
    const reference = await this.deps.conversations.channel(channelId);
    if (!reference) throw new Undeliverable(`the opsdesk bot has not been added to the team of the Teams channel ${channelId} (no conversation stored for it)`);
    return reference;
  }
}

/** The location key of a person's or group's own card (none: the service channel's card). */
function cardWhere(notification: NotificationDoc): string | undefined {
  const { audience } = notification;
  if (audience.kind === 'person-card') return `person:${audience.personId}`;
  if (audience.kind === 'group-card') return `group:${audience.group}`;
  return undefined;
}

function outcomeOf(error: unknown): DeliveryOutcome {
  if (error instanceof Undeliverable) return { kind: 'failed', error: error.message };
  if (error instanceof NotYet) return { kind: 'retry', ...(error.afterMs !== undefined ? { afterMs: error.afterMs } : {}), error: error.message, waiting: true };
  if (error instanceof TeamsApiError) {
    const described = `HTTP ${error.status}: ${error.message}`;
    if (FINAL_STATUSES.has(error.status)) return { kind: 'failed', error: described };
    // 429, 412, 502, 504 (and any other): Teams' Retry-After when it gave one, else the notifier's back-off with jitter.
    if (error.retryAfterMs === undefined) return { kind: 'retry', error: described };
    return { kind: 'retry', afterMs: Math.ceil(error.retryAfterMs * (1 + Math.random() * RETRY_AFTER_JITTER)), error: described };
  }
  return { kind: 'retry', error: String((error as Error)?.message ?? error) }; // the network, a timeout
}
