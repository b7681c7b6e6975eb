import type { KnownBlock } from '@slack/types';
import { ErrorCode, type WebClient } from '@slack/web-api';
import type { ItsmCatalog } from '../../src/config/itsm-catalog';
import { t } from '../../src/i18n/translate';
import type { Logger } from '../../src/logger';
import type { NotificationDoc } from '../../src/models/notification.model';
import type { PeopleDirectory } from '../../src/people/people-directory';
import { cardEditHolder, type CardLocations } from '../../src/services/card-locations';
import type { Digests } from '../../src/services/digests';
import { ATTEMPT_LEASE_MS, type DeliveryOutcome, type NotificationDeliverer } from '../../src/services/notifier';
import { OutdoneByNewerEdit, type Pace, type Pacer, type TurnHolder } from '../../src/services/pacing';
import { SlackDigestPoster } from './digest-poster';
import { FoldedCards, listedIn, shownByListing } from './folded-cards';
import type { QuietChannels } from './quiet-channels';
import { PageBatches, pageListBlocks, type BatchedPage } from './page-batches';
import { cardFallback, escapeMrkdwn, renderCard } from './render/render-card';
import { fallbackText, renderMessage } from './render/render-views';
import { mentionsIn } from './render/slack-mentions';
import { channelPace, methodPace, NotYet, workspaceOf } from './slack-limits';

/** Slack errors worth another try; any other platform error (channel_not_found…) is final. */
const RETRYABLE_PLATFORM_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
/** An ephemeral cannot reach someone in a channel the app is not in: their direct message can. */
const EPHEMERAL_REFUSALS = new Set(['channel_not_found', 'not_in_channel', 'user_not_in_channel', 'is_archived']);
const METADATA_EVENT = 'opsdesk_notification';
/** Slack message metadata on every channel card: which record it shows, so a card whose post was interrupted is found. */
export const CARD_METADATA = 'opsdesk_card';
/** A thread line whose card is on its way (or an edit of a card being posted) first looks again this soon. */
const CARD_PENDING_RETRY_MS = 3_000;
/** Slack takes answers at an interaction's response URL for 30 minutes; a little less, to be sure. */
const RESPONSE_URL_LIFE_MS = 25 * 60_000;
const RESPONSE_URL_TIMEOUT_MS = 10_000;
/** How long before a reserved turn its delivery comes back (more than the timer wheel's lateness, less than MAX_HOLD_MS). */
const COME_BACK_EARLY_MS = 15_000;
/** Waiting for a turn longer than this is left to the timer (the attempt's lease must not run out meanwhile). */
const MAX_HOLD_MS = 30_000;

interface Target {
  channel: string;
  threadTs?: string;
  /** In a thread a line of text is enough; elsewhere the card is drawn. */
  textOnly: boolean;
  /** The line's card is listed in the channel's digest rather than posted: the line is listed too, or (`shown`) needs no line. */
  listed?: 'line' | 'shown';
}

class Undeliverable extends Error {}

/** Where a record's card is posted: the channel, the card's own location key (`where`), and whether it stays there. */
interface CardPlace {
  channel: string;
  where?: string;
  fixed: boolean;
}

/** The location key of a person's or group's own card (none: the service channel's card). */
function cardWhere(notification: NotificationDoc): string | undefined {
  const { audience } = notification;
  if (audience.kind === 'person-card') return `person:${audience.personId}`;
  if (audience.kind === 'group-card') return `group:${audience.group}`;
  return undefined;
}


export interface SlackDelivererDeps {
  catalog: ItsmCatalog;
  people: PeopleDirectory;
  cards: CardLocations;
  digests: Digests;
  pacer: Pacer;
  /** The notifier's stopping signal: a wait for a turn ends with it. */
  stopping?: AbortSignal;
  /** A channel's lines are gathered into one message once its backlog would make them wait longer than this. */
  coalesceAfterMs: number;
  /** Where a listed ticket's change waits for its channel to be quiet (none: it tries again on the notifier's back-off). */
  quiet?: QuietChannels;
  /**
   * The client to post with in the workspace a request came from (no retries of its own: the
   * notifier retries), or none yet (OAuth before the first install).
   */
  client(workspace?: string): Promise<WebClient | undefined>;
  log: Logger;
}

/**
 * Posts the outbox to Slack: a record's card in its service channel (posted, then edited in place),
 * its thread lines, private replies, a person's page or warning as a DM card, a P1 into the
 * major-incident channel. Every call takes its turn within Slack's published limits
 * (adapters/slack/slack-limits.ts) instead of meeting a 429; lines that would wait too long are
 * gathered into a digest. Each message carries its notification id as metadata, so an attempt
 * interrupted by a crash is checked against the conversation's history instead of posted twice.
 */
export class SlackNotificationDeliverer implements NotificationDeliverer {
  readonly platform = 'slack';
  private readonly userByEmail = new Map<string, string>();
  private readonly digestPoster: SlackDigestPoster;
  private readonly folded: FoldedCards;
  private readonly pages = new PageBatches();

  constructor(private readonly deps: SlackDelivererDeps) {
    this.digestPoster = new SlackDigestPoster(deps, (pace, call) => this.paced(pace, call));
    this.folded = new FoldedCards(deps, this.digestPoster);
  }

  async deliver(notification: NotificationDoc, again = false): Promise<DeliveryOutcome> {
    const client = await this.deps.client(notification.workspace);
    if (!client) return { kind: 'retry', afterMs: 15 * 60_000, error: 'opsdesk is not installed in a Slack workspace yet' };
    try {
      const { audience } = notification;
      if (audience.kind === 'card' || audience.kind === 'person-card' || audience.kind === 'group-card') {
        return await this.postCard(client, notification, await this.cardPlaceOf(client, notification), again);
      }
      if (audience.kind === 'reply') return await this.postReply(client, notification, audience, again);
      return await this.postMessage(client, notification, again);
    } catch (error) {
      return outcomeOf(error);
    }
  }

  async wasDelivered(notification: NotificationDoc, since: Date): Promise<boolean> {
    const client = await this.deps.client(notification.workspace);
    if (!client) return false;
    const { audience } = notification;
    // An ephemeral leaves nothing to find: a person would rather read it twice than not at all.
    if (audience.kind === 'reply' && !audience.thread) return false;
    if (audience.kind === 'card' || audience.kind === 'person-card' || audience.kind === 'group-card') {
      // Posting again is guarded by the location; a post whose location was never written is looked for.
      await this.cardPostedEarlier(client, notification.recordId, cardWhere(notification));
      return false;
    }
    const target = await this.targetOf(client, notification, true);
    // A listed line is found in its digest by the delivery itself.
    if (target.listed) return false;
    const oldest = String((since.getTime() - 60_000) / 1000);
    const ws = workspaceOf(client);
    const page = target.threadTs
      ? await this.paced(methodPace(ws, 'conversations.replies'), () =>
          client.conversations.replies({ channel: target.channel, ts: target.threadTs as string, oldest, include_all_metadata: true, limit: 200 }),
        )
      : await this.paced(methodPace(ws, 'conversations.history'), () =>
          client.conversations.history({ channel: target.channel, oldest, include_all_metadata: true, limit: 200 }),
        );
    return (page.messages ?? []).some(
      (m) => m.metadata?.event_type === METADATA_EVENT && carries(m.metadata.event_payload as { notification_id?: string; notification_ids?: string } | undefined, notification._id),
    );
  }

  /** Where a card goes: its service's channel, a group's channel, or the person's direct message. */
  private async cardPlaceOf(client: WebClient, notification: NotificationDoc): Promise<CardPlace> {
    const { audience } = notification;
    if (audience.kind === 'person-card') return { channel: await this.slackUserOf(client, audience.personId), where: cardWhere(notification), fixed: true };
    if (audience.kind === 'group-card') {
      const channel = this.deps.catalog.groups.get(audience.group)?.channels.slack;
      if (!channel) throw new Undeliverable(`no Slack channel is configured for the group ${audience.group}`);
      return { channel, where: cardWhere(notification), fixed: true };
    }
    const service = audience.kind === 'card' ? audience.service : '';
    const channel = this.deps.catalog.channelFor(service, 'slack');
    if (!channel) throw new Undeliverable(`no Slack channel is configured for the service ${service}`);
    return { channel, fixed: false };
  }

  /**
   * The record's card: edited in place where it is (unless a newer version is drawn already),
   * else posted once, its first post claimed so that a racing delivery waits instead of posting a second.
   * A service's card moves with its record to another service's channel; a person's or group's stays.
   */
  private async postCard(client: WebClient, notification: NotificationDoc, place: CardPlace, again: boolean): Promise<DeliveryOutcome> {
    const holder = { id: notification._id, again };
    const { recordId, view } = notification;
    const { channel, where } = place;
    const ws = workspaceOf(client);
    const blocks = renderCard(view, await mentionsIn(this.deps.people, [view]));
    const text = cardFallback(view);
    let known = await this.deps.cards.find(recordId, 'slack', where);
    if (!place.fixed) {
      // A new ticket into a backed-up channel is listed in its digest instead (folded-cards.ts).
      const listing = await this.folded.cardIn(client, notification, channel, known, again);
      if ('outcome' in listing) return listing.outcome;
      known = listing.known;
    }
    if (known && !known.messageId && known.claimedBy !== notification._id) {
      const claimedFor = Date.now() - new Date(known.claimedAt ?? known.at).getTime();
      if (claimedFor < ATTEMPT_LEASE_MS) throw new NotYet(again ? undefined : CARD_PENDING_RETRY_MS, 'the card is being posted');
      // Claimed by a process that died posting: posted after all, or not (the claim is then ours to take over).
      const found = await this.cardPostedEarlier(client, recordId, where);
      if (found) known = { ...known, messageId: found };
      else if (await this.deps.cards.takeOverFirstPost(recordId, 'slack', known.claimedBy ?? '', notification._id, where)) known = { ...known, claimedBy: notification._id };
      else throw new NotYet(again ? undefined : CARD_PENDING_RETRY_MS, 'the card is being posted');
    }
    if (known?.messageId && (place.fixed || known.channel === channel)) {
      const location = { channel: known.channel, messageId: known.messageId };
      if ((known.version ?? -1) > (view.version ?? -1)) return { kind: 'delivered', location }; // a newer card is drawn
      const edit = cardEditHolder(recordId, 'slack', where, notification._id, view.version, again);
      try {
        await this.paced(methodPace(ws, 'chat.update'), async () => {
          // A newer edit may have drawn it while this one waited for its turn.
          if (await this.deps.cards.drawnNewer(recordId, 'slack', view.version, where)) return;
          await client.chat.update({ channel: location.channel, ts: location.messageId, blocks, text });
          await this.deps.cards.remember(recordId, 'slack', location.channel, location.messageId, view.version, where);
        }, edit);
      } catch (error) {
        if (error instanceof OutdoneByNewerEdit) return { kind: 'delivered', location }; // the newer edit draws it
        throw error;
      }
      return { kind: 'delivered', location };
    }
    // Our own claim (an earlier attempt of this delivery was refused) lets us post; none yet, we claim it.
    if (!known && !(await this.deps.cards.claimFirstPost(recordId, 'slack', channel, notification._id, new Date(), where))) {
      throw new NotYet(again ? undefined : CARD_PENDING_RETRY_MS, 'the card is being posted');
    }
    const posted = await this.paced(channelPace(ws, channel), () =>
      client.chat.postMessage({ channel, blocks, text, metadata: { event_type: CARD_METADATA, event_payload: { record_id: recordId, notification_id: notification._id } } }),
      holder,
    );
    // A direct message is posted to the user's id; it is edited in the conversation Slack answers with.
    const postedIn = posted.channel ?? channel;
    await this.deps.cards.remember(recordId, 'slack', postedIn, posted.ts as string, view.version, where);
    return { kind: 'delivered', location: { channel: postedIn, messageId: posted.ts as string } };
  }

  /** A private answer: ephemeral where the person acted, or in their direct message with the app. */
  private async postReply(
    client: WebClient,
    notification: NotificationDoc,
    audience: { user: string; channel?: string; thread?: string; responseUrl?: string },
    again: boolean,
  ): Promise<DeliveryOutcome> {
    const holder = { id: notification._id, again };
    const views = notification.views ?? [notification.view];
    const blocks = renderMessage(views, await mentionsIn(this.deps.people, views));
    const text = fallbackText(views);
    const ws = workspaceOf(client);
    if (audience.channel && audience.thread) {
      // A mention's answer, in its thread: within the channel's pace like every message there.
      const { channel, thread } = audience as { channel: string; thread: string };
      const posted = await this.paced(channelPace(ws, channel), () =>
        client.chat.postMessage({ channel, thread_ts: thread, blocks, text, metadata: { event_type: METADATA_EVENT, event_payload: { notification_id: notification._id } } }),
        holder,
      );
      return { kind: 'delivered', location: { channel, messageId: posted.ts ?? '' } };
    }
    // A click's answer goes back through its response URL while that lives: it counts against no method's limit.
    if (audience.responseUrl && Date.now() - notification.createdAt.getTime() < RESPONSE_URL_LIFE_MS && (await this.respond(audience.responseUrl, blocks, text))) {
      return { kind: 'delivered' };
    }
    // Ephemerals are the workspace's (Tier 4): when they would wait longer than a line may before it
    // is gathered, the person is answered in their direct message, whose turns are theirs alone.
    if (audience.channel && (await this.deps.pacer.waitForTurn(methodPace(ws, 'chat.postEphemeral'), this.deps.coalesceAfterMs, this.deps.stopping)).ready) {
      try {
        await client.chat.postEphemeral({ channel: audience.channel, user: audience.user, blocks, text });
        return { kind: 'delivered' };
      } catch (error) {
        const code = (error as { data?: { error?: string } }).data?.error;
        if (!code || !EPHEMERAL_REFUSALS.has(code)) throw error;
      }
    }
    if (this.deps.stopping?.aborted) throw new NotYet(0, 'handed back: the process is stopping');
    const posted = await this.paced(
      channelPace(ws, audience.user),
      () => client.chat.postMessage({ channel: audience.user, blocks, text, metadata: { event_type: METADATA_EVENT, event_payload: { notification_id: notification._id } } }),
      holder,
    );
    return { kind: 'delivered', location: { channel: posted.channel ?? audience.user, messageId: posted.ts ?? '' } };
  }

  /**
   * A DM, a thread line, a major-incident post. What only informs (a job's thread line, an SLA
   * warning, a P1's announcement) joins its channel's digest when the channel is backed up beyond
   * `coalesceAfterMs`. A page is never folded into a digest: the pages waiting for one person's
   * turn go out together in the message posted at it.
   */
  private async postMessage(client: WebClient, notification: NotificationDoc, again: boolean): Promise<DeliveryOutcome> {
    const holder = { id: notification._id, again };
    const target = await this.targetOf(client, notification, false, again);
    const ws = workspaceOf(client);
    const pace = channelPace(ws, target.channel);
    const { view } = notification;
    const line = escapeMrkdwn(view.text ?? cardFallback(view));
    if (target.listed === 'shown') return { kind: 'delivered' };
    if (target.listed) return { kind: 'delivered', location: await this.folded.line(client, notification, target.channel, line, again) };
    const foldAfter = foldAfterMs(notification, this.deps.coalesceAfterMs);
    // Tried again, a line an earlier attempt put in a digest stays there (shown by the next flush), never posted twice.
    const shown = foldAfter !== undefined && again ? await this.digestPoster.showIfAdded(client, target.channel, notification.reason, notification.recordId, notification.createdAt) : undefined;
    if (shown) return { kind: 'delivered', location: shown };
    if (foldAfter !== undefined && (await this.deps.pacer.backlogBeyond(pace, foldAfter))) {
      const entry = { recordId: notification.recordId, text: line };
      const location = await this.digestPoster.add(client, target.channel, notification.reason, entry, { firstTry: !again });
      return { kind: 'delivered', location };
    }
    if (isPage(notification)) {
      // Pages waiting for this person's turn go out together at it (adapters/slack/page-batches.ts).
      const [action] = view.actions;
      const page: BatchedPage = { notificationId: notification._id, line, ...(action ? { action } : {}) };
      const location = await this.pages.join(`${ws}:${target.channel}`, page, (draw) =>
        this.paced(
          pace,
          () => {
            const pages = draw();
            return pages.length > 1 ? this.postPages(client, target.channel, pages) : this.postOne(client, notification, target, line);
          },
          holder,
        ),
      );
      return { kind: 'delivered', location };
    }
    return { kind: 'delivered', location: await this.paced(pace, () => this.postOne(client, notification, target, line), holder) };
  }

  /** Posts an ephemeral answer to an interaction's response URL; false when Slack did not take it (expired, used up, unreachable). */
  private async respond(url: string, blocks: KnownBlock[], text: string): Promise<boolean> {
    const timeout = AbortSignal.timeout(RESPONSE_URL_TIMEOUT_MS);
    try {
      const answer = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, blocks, text }),
        signal: this.deps.stopping ? AbortSignal.any([timeout, this.deps.stopping]) : timeout,
      });
      // Slack refuses an expired or used-up URL with an error status, or with `ok: false`.
      const said = await answer.text();
      return answer.ok && !/"ok"\s*:\s*false/.test(said);
    } catch (error) {
      this.deps.log.debug({ err: error }, 'the response URL did not take the answer: told another way');
      return false;
    }
  }

  /** A message of its own: the card drawn (or, in a thread, its `line`). */
  private async postOne(client: WebClient, notification: NotificationDoc, target: Target, line: string): Promise<{ channel: string; messageId: string }> {
    const { view } = notification;
    const posted = await client.chat.postMessage({
      channel: target.channel,
      text: target.textOnly ? line : cardFallback(view),
      ...(target.textOnly ? {} : { blocks: renderCard(view, await mentionsIn(this.deps.people, [view])) }),
      ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
      metadata: { event_type: METADATA_EVENT, event_payload: { notification_id: notification._id } },
    });
    return { channel: posted.channel ?? target.channel, messageId: posted.ts ?? '' };
  }

  /** One message listing several pages, each with its Acknowledge; its metadata names every page it carries. */
  private async postPages(client: WebClient, channel: string, pages: readonly BatchedPage[]): Promise<{ channel: string; messageId: string }> {
    const header = t(this.deps.catalog.config.defaults.locale, 'digest.pages', { count: pages.length });
    const posted = await client.chat.postMessage({
      channel,
      text: [header, ...pages.map((p) => `• ${p.line}`)].join('\n'),
      blocks: pageListBlocks(header, pages),
      // Slack's metadata holds no list of strings: the ids, which hold no space, one text.
      metadata: { event_type: METADATA_EVENT, event_payload: { notification_ids: pages.map((p) => p.notificationId).join(' ') } },
    });
    return { channel: posted.channel ?? channel, messageId: posted.ts ?? '' };
  }

  /** Waits for the call's turn (within Slack's limits), then makes it; a turn too far off is left to the timer. */
  private async paced<T>(pace: Pace, call: () => Promise<T>, holder?: TurnHolder): Promise<T> {
    // A delivery's turn further off than it may hold is reserved for it: it comes back at that turn.
    const { ready, waitMs } = await this.deps.pacer.waitForTurn(pace, MAX_HOLD_MS, this.deps.stopping, holder);
    if (this.deps.stopping?.aborted) throw new NotYet(0, 'handed back: the process is stopping');
    // A reserved turn is come back to a little early (the timer wheel fires up to a bucket late),
    // then waited for here, so that it is used on time rather than bunched with the turns after it.
    if (!ready) throw new NotYet(holder ? Math.max(0, waitMs - COME_BACK_EARLY_MS) : waitMs, `waiting for a turn (${pace.key})`);
    return call();
  }

  private async targetOf(client: WebClient, notification: NotificationDoc, forHistory: boolean, again = false): Promise<Target> {
    const { audience } = notification;
    switch (audience.kind) {
      case 'person': {
        const userId = await this.slackUserOf(client, audience.personId);
        if (!forHistory) return { channel: userId, textOnly: false }; // posting to a user id reaches their DM with the app
        const opened = await this.paced(methodPace(workspaceOf(client), 'conversations.open'), () => client.conversations.open({ users: userId }));
        if (!opened.channel?.id) throw new Undeliverable(`no direct message with ${userId}`);
        return { channel: opened.channel.id, textOnly: false };
      }
      case 'thread': {
        const card = await this.deps.cards.locate(notification.recordId, 'slack');
        if (card.posted) return { channel: card.posted.channel, threadTs: card.posted.messageId, textOnly: true };
        // A handler's line follows its card, which is on its way.
        // Usually a moment away; else it may be far off (its channel backed up): tried again after a growing wait.
        if (audience.afterCard) {
          const listed = listedIn(card.known);
          if (listed) return { channel: listed, textOnly: true, listed: shownByListing(card.known, notification.view.version) ? 'shown' : 'line' };
          throw new NotYet(again ? undefined : CARD_PENDING_RETRY_MS, 'the card of this line is not posted yet');
        }
        const channel = this.deps.catalog.channelFor(audience.service, 'slack');
        if (!channel) throw new Undeliverable(`no Slack channel is configured for the service ${audience.service}`);
        return { channel, textOnly: false };
      }
      case 'reply':
        if (audience.channel && audience.thread) return { channel: audience.channel, threadTs: audience.thread, textOnly: false };
        throw new Undeliverable('a private reply has no place to look for');
      case 'major-incident': {
        const channel = this.deps.catalog.config.majorIncidentChannel?.slack;
        if (!channel) throw new Undeliverable('no Slack major-incident channel is configured');
        return { channel, textOnly: false };
      }
      default:
        throw new Undeliverable(`no Slack target for ${audience.kind}`);
    }
  }

  /** A card posted by a process that died before remembering it, found by its metadata and remembered. */
  private async cardPostedEarlier(client: WebClient, recordId: string, where?: string): Promise<string | undefined> {
    const known = await this.deps.cards.find(recordId, 'slack', where);
    // Listed in a digest, the card was never posted: nothing to look for.
    if (!known || known.messageId || known.foldedInto) return known?.messageId;
    const ws = workspaceOf(client);
    // A person's card was claimed with their user id: its history is their direct message's.
    let channel = known.channel;
    if (/^[UW]/.test(channel)) {
      const opened = await this.paced(methodPace(ws, 'conversations.open'), () => client.conversations.open({ users: known.channel }));
      channel = opened.channel?.id ?? channel;
    }
    const history = await this.paced(methodPace(ws, 'conversations.history'), () => client.conversations.history({ channel, include_all_metadata: true, limit: 200 }));
    const card = (history.messages ?? []).find(
      (m) => m.metadata?.event_type === CARD_METADATA && (m.metadata.event_payload as { record_id?: string } | undefined)?.record_id === recordId,
    );
    if (card?.ts) await this.deps.cards.remember(recordId, 'slack', channel, card.ts, undefined, where);
    return card?.ts;
  }

  /** The person's Slack user: known from configuration or an earlier request, else looked up by e-mail. */
  private async slackUserOf(client: WebClient, personId: string): Promise<string> {
    const known = await this.deps.people.platformIdOf(personId, 'slack');
    if (known) return known;
    const person = await this.deps.people.findById(personId);
    if (!person?.email) throw new Undeliverable(`no Slack user is known for ${personId}`);
    const remembered = this.userByEmail.get(person.email);
    if (remembered) return remembered;
    const email = person.email;
    const found = await this.paced(methodPace(workspaceOf(client), 'users.lookupByEmail'), () => client.users.lookupByEmail({ email }));
    if (!found.user?.id) throw new Undeliverable(`no Slack user has the e-mail ${email}`);
    if (this.userByEmail.size > 10_000) this.userByEmail.clear();
    this.userByEmail.set(email, found.user.id);
    return found.user.id;
  }
}

/**
 * How backed up the channel may be before this message is gathered with others into one, or
 * undefined when it never is (a card, a reply, a handler's thread line, a page: pages waiting for
 * one turn go out together instead, page-batches.ts). What only informs (a job's line, an SLA
 * warning, a P1's announcement) waits up to `coalesceAfterMs`.
 */
function foldAfterMs(notification: NotificationDoc, coalesceAfterMs: number): number | undefined {
  if (isPage(notification)) return undefined; // gathered per turn instead (page-batches.ts)
  const { audience, reason } = notification;
  if (audience.kind === 'thread') return audience.afterCard ? undefined : coalesceAfterMs;
  if (audience.kind === 'major-incident') return coalesceAfterMs;
  if (audience.kind !== 'person') return undefined;
  return reason.startsWith('sla.') ? coalesceAfterMs : undefined;
}

/** Whether a message's metadata names the notification: its own, or one of the pages it lists. */
const carries = (payload: { notification_id?: string; notification_ids?: string } | undefined, id: string): boolean =>
  payload?.notification_id === id || (payload?.notification_ids?.split(' ').includes(id) ?? false);

/** An escalation step's page to a person, which someone must act on now. */
const isPage = (notification: NotificationDoc): boolean => notification.audience.kind === 'person' && notification.reason.startsWith('escalation.');

function outcomeOf(error: unknown): DeliveryOutcome {
  if (error instanceof Undeliverable) return { kind: 'failed', error: error.message };
  if (error instanceof NotYet) return { kind: 'retry', ...(error.afterMs !== undefined ? { afterMs: error.afterMs } : {}), error: error.message, waiting: true };
  const e = error as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string }; message?: string };
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      return { kind: 'retry', afterMs: (e.retryAfter ?? 30) * 1000, error: 'rate limited' };
    case ErrorCode.HTTPError:
      return (e.statusCode ?? 500) >= 500 || e.statusCode === 429
        ? { kind: 'retry', error: `HTTP ${e.statusCode}` }
        : { kind: 'failed', error: `HTTP ${e.statusCode}` };
    case ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      return RETRYABLE_PLATFORM_ERRORS.has(code) ? { kind: 'retry', error: code } : { kind: 'failed', error: code };
    }
    default:
      return { kind: 'retry', error: e.message ?? String(error) }; // the network, a timeout
  }
}
