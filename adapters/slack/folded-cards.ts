import type { WebClient } from '@slack/web-api';
import type { CardLocationDoc } from '../../src/models/card-location.model';
import type { NotificationDoc } from '../../src/models/notification.model';
import type { CardLocations } from '../../src/services/card-locations';
import type { Digests } from '../../src/services/digests';
import type { DeliveryOutcome } from '../../src/services/notifier';
import type { Pacer } from '../../src/services/pacing';
import { DIGEST_OF_NEW_TICKETS, DIGEST_OF_TICKET_UPDATES, type SlackDigestPoster } from './digest-poster';
import { cardFallback, escapeMrkdwn } from './render/render-card';
import { QUIET_FALLBACK_MS, type QuietChannels } from './quiet-channels';
import { channelPace, NotYet, workspaceOf } from './slack-limits';

type Location = { channel: string; messageId: string };

/** The channel whose digest lists a card, if it is listed rather than posted. */
export function listedIn(known: CardLocationDoc | null): string | undefined {
  return known && !known.messageId && known.foldedInto ? known.channel : undefined;
}

/**
 * Whether a thread line of the card's own version (the line announced with it: "reported") says
 * nothing its listing does not: the ticket would otherwise show in both digests.
 */
export function shownByListing(known: CardLocationDoc | null, lineVersion: number | undefined): boolean {
  return listedIn(known) !== undefined && lineVersion !== undefined && known?.version === lineVersion;
}

/** A card or edit racing another delivery's first post looks again this soon. */
const CLAIMED_RETRY_MS = 3_000;

/**
 * A storm of reports asks for more cards in one service channel than Slack posts there (one message
 * a second). Once the channel is backed up beyond `coalesceAfterMs`, a new ticket is listed in the
 * channel's digest of new tickets, with its card's first button, instead of holding a turn minutes
 * ahead (its thread lines waiting behind it). The card's location records the listing; the ticket's
 * later thread lines are listed too (the line announced with the listed version says nothing the
 * listing does not); its first change once the channel is quiet posts its card.
 */
export class FoldedCards {
  constructor(
    private readonly deps: { cards: CardLocations; digests: Digests; pacer: Pacer; coalesceAfterMs: number; quiet?: QuietChannels | undefined },
    private readonly poster: SlackDigestPoster,
  ) {}

  /**
   * For a service channel's card: the outcome when it is (or stays) listed rather than posted;
   * otherwise the card's location as the post or edit should now see it.
   */
  async cardIn(client: WebClient, notification: NotificationDoc, channel: string, known: CardLocationDoc | null, again: boolean): Promise<{ outcome: DeliveryOutcome } | { known: CardLocationDoc | null }> {
    const { recordId, _id: mine } = notification;
    if (known?.messageId) return { known };
    if (known?.foldedInto) {
      // Tried again after listing it: shown where it is listed, not listed twice.
      if (known.claimedBy === mine) return { outcome: await this.shown(client, known.foldedInto) };
      // Still busy: this change posts the card once the channel is quiet (its thread line, if it has
      // one, is listed meanwhile); the newest of the changes waiting wins, an older one finds it drawn.
      if (await this.busy(client, channel)) {
        // Noted for the channel's check to try once it is quiet, rather than trying again and again meanwhile.
        if (this.deps.quiet) await this.deps.quiet.wait(workspaceOf(client), channel, mine);
        throw new NotYet(this.deps.quiet ? QUIET_FALLBACK_MS : undefined, 'the channel is busy: the card is listed, and posted at a change once it is quiet');
      }
      // Quiet again: this change posts the card, taking over the listing's claim (one delivery wins).
      if (!(await this.deps.cards.takeOverFirstPost(recordId, 'slack', known.claimedBy ?? '', mine))) throw new NotYet(again ? undefined : CLAIMED_RETRY_MS, 'the card is being posted');
      const { foldedInto: _listed, listing: _listing, ...claim } = known;
      return { known: { ...claim, claimedBy: mine } };
    }
    if (known) {
      if (known.claimedBy !== mine || !known.listing || !again) return { known };
      // Our own claim to list it, tried again: listed before a crash kept us from saying so, or not at all.
      const listed = await this.deps.digests.holding('slack', channel, DIGEST_OF_NEW_TICKETS, recordId, notification.createdAt);
      if (!listed) return { known };
      await this.deps.cards.fold(recordId, 'slack', listed, mine, notification.view.version);
      return { outcome: await this.shown(client, listed) };
    }
    if (!(await this.busy(client, channel))) return { known };
    if (!(await this.deps.cards.claimFirstPost(recordId, 'slack', channel, mine, new Date(), undefined, true))) throw new NotYet(again ? undefined : CLAIMED_RETRY_MS, 'the card is being posted');
    const [action] = notification.view.actions.filter((a) => !a.options);
    const entry = { recordId, text: escapeMrkdwn(cardFallback(notification.view)), ...(action ? { action } : {}) };
    const digest = await this.deps.digests.add('slack', channel, DIGEST_OF_NEW_TICKETS, entry, { firstTry: !again });
    // Said before the digest is shown (which waits its turn), so that the ticket's lines find it listed at once.
    await this.deps.cards.fold(recordId, 'slack', digest, mine, notification.view.version);
    return { outcome: await this.shown(client, digest) };
  }

  /** A thread line of a listed card, listed in the channel's digest of updates (each line its own, named by its notification). */
  async line(client: WebClient, notification: NotificationDoc, channel: string, line: string, again: boolean): Promise<Location> {
    const shown = again ? await this.poster.showIfAdded(client, channel, DIGEST_OF_TICKET_UPDATES, notification._id, notification.createdAt) : undefined;
    return shown ?? this.poster.add(client, channel, DIGEST_OF_TICKET_UPDATES, { recordId: notification._id, text: `${notification.recordId}: ${line}` }, { firstTry: !again });
  }

  private busy(client: WebClient, channel: string): Promise<boolean> {
    return this.deps.pacer.backlogBeyond(channelPace(workspaceOf(client), channel), this.deps.coalesceAfterMs);
  }

  private async shown(client: WebClient, digest: string): Promise<DeliveryOutcome> {
    return { kind: 'delivered', location: await this.poster.show(client, digest) };
  }
}
