import { findByIdTogether } from '../db/find-by-ids';
import { insertOnce } from '../db/insert-once';
import { retryWhileBusy } from '../db/retry-while-busy';
import type { Models } from '../models/models';
import type { CardLocationDoc } from '../models/card-location.model';
import type { TurnHolder } from './pacing';
import { claimKey } from './record-keys';

const POSTED_KEPT = 10_000;
const POSTED_KEPT_MS = 5 * 60_000;

/**
 * Where each record's card was posted on each platform. The first post is claimed before it is
 * made, so that two deliveries racing (a report's card waiting for its channel's turn, an
 * acknowledgement's edit from a DM page) never post two cards: the one that finds the claim waits.
 */
export class CardLocations {
  /**
   * Where cards were posted, kept a while: a card is edited in place, and moves only when its
   * record moves to a service with another channel (this process learns it at once, others within
   * POSTED_KEPT_MS).
   */
  private readonly posted = new Map<string, { channel: string; messageId: string; at: number }>();

  constructor(private readonly models: Models) {}

  /** Where the record's card was posted (for its thread), if it was; kept once known. */
  async postedAt(recordId: string, platform: CardLocationDoc['platform'], where?: string): Promise<{ channel: string; messageId: string } | undefined> {
    return (await this.locate(recordId, platform, where)).posted;
  }

  /** Where the record's card was posted; else its location as stored (claimed, listed, or none), from the same read. */
  async locate(recordId: string, platform: CardLocationDoc['platform'], where?: string): Promise<{ posted: { channel: string; messageId: string } } | { posted?: undefined; known: CardLocationDoc | null }> {
    const key = locationKey(recordId, platform, where);
    const kept = this.posted.get(key);
    if (kept && Date.now() - kept.at < POSTED_KEPT_MS) return { posted: kept };
    const found = await this.find(recordId, platform, where);
    if (!found?.messageId) return { known: found };
    return { posted: this.keep(key, found.channel, found.messageId) };
  }

  private keep(key: string, channel: string, messageId: string): { channel: string; messageId: string } {
    if (this.posted.size >= POSTED_KEPT) this.posted.clear();
    const place = { channel, messageId, at: Date.now() };
    this.posted.set(key, place);
    return place;
  }

  /**
   * The record's card on the platform: its service channel's, or (`where`) a person's or a group's
   * own. Read with the others asked at the same time (the deliveries a click sets off): one find.
   */
  find(recordId: string, platform: CardLocationDoc['platform'], where?: string): Promise<CardLocationDoc | null> {
    return findByIdTogether<CardLocationDoc>(this.models.CardLocation, locationKey(recordId, platform, where));
  }

  /**
   * Claims the first post of the record's card for one delivery (`by`): false when another has.
   * `listing`: claimed to list the card in a digest instead (folded-cards.ts).
   */
  claimFirstPost(recordId: string, platform: CardLocationDoc['platform'], channel: string, by: string, at: Date, where?: string, listing = false): Promise<boolean> {
    return insertOnce(this.models.CardLocation, { _id: locationKey(recordId, platform, where), recordId, platform, channel, claimedBy: by, claimedAt: at, ...(listing ? { listing } : {}), at });
  }

  /**
   * Takes over the first post's claim of a delivery that died before posting (`from`) for another
   * (`by`): true for one taker only. Won by inserting a key of its own, since a conditional update
   * is not atomic on every storage opsdesk supports (docs/storage.md).
   */
  async takeOverFirstPost(recordId: string, platform: CardLocationDoc['platform'], from: string, by: string, where?: string): Promise<boolean> {
    const key = locationKey(recordId, platform, where);
    const takeover = `card-takeover:${key}:${from}`;
    // Won before by this same delivery, whose update then failed: still its to finish.
    if (!(await claimKey(this.models.RecordKey, takeover, by)) && (await this.models.RecordKey.findById(takeover).lean())?.recordId !== by) return false;
    // By `_id` alone (docs/storage.md §2): the won key makes this taker the only writer.
    const location = await this.models.CardLocation.findById(key).lean();
    if (location?.claimedBy !== from) return false;
    // A listed card taken over is being posted now: no longer listed only, nor its claimant's listing.
    await retryWhileBusy(() => this.models.CardLocation.updateOne({ _id: key }, { $set: { claimedBy: by, claimedAt: new Date() }, $unset: { foldedInto: 1, listing: 1 } }));
    return true;
  }

  /** The record's card (at `version`), claimed by the delivery `by` to list it, is in the digest `digestId` instead of posted. */
  async fold(recordId: string, platform: CardLocationDoc['platform'], digestId: string, by: string, version?: number): Promise<void> {
    // Only while the claim is still the listing's and nothing is posted. Read, then written, by `_id`
    // alone: a filter on more than `_id` reads the whole collection (docs/storage.md §2). A takeover
    // between the two needs the listing said (this very write) or the claim a lease old, its claimant dead.
    const key = locationKey(recordId, platform);
    const location = await this.models.CardLocation.findById(key).lean();
    if (location?.claimedBy !== by || !location.listing || location.messageId) return;
    await retryWhileBusy(() => this.models.CardLocation.updateOne({ _id: key }, { $set: { foldedInto: digestId, ...(version !== undefined ? { version } : {}) } }));
  }

  /** Whether the card shows a newer version of its record than `version` already. */
  async drawnNewer(recordId: string, platform: CardLocationDoc['platform'], version: number | undefined, where?: string): Promise<boolean> {
    return ((await this.find(recordId, platform, where))?.version ?? -1) > (version ?? -1);
  }

  /** Where the card is, and which version of the record it shows now. */
  async remember(recordId: string, platform: CardLocationDoc['platform'], channel: string, messageId: string, version?: number, where?: string): Promise<void> {
    const key = locationKey(recordId, platform, where);
    await retryWhileBusy(() =>
      this.models.CardLocation.updateOne(
        { _id: key },
        { $set: { recordId, platform, channel, messageId, at: new Date(), ...(version !== undefined ? { version } : {}) }, $unset: { foldedInto: 1, listing: 1 } },
        { upsert: true },
      ),
    );
    this.keep(key, channel, messageId);
  }
}

/**
 * Whom an edit of the record's card (by the delivery `by`, drawing `version`) waits for a turn as:
 * the card, whose edits share one held turn that the newest of them takes (pacing.ts). An edit of
 * no known version waits as itself.
 */
export function cardEditHolder(recordId: string, platform: CardLocationDoc['platform'], where: string | undefined, by: string, version: number | undefined, again: boolean): TurnHolder {
  if (version === undefined) return { id: by, again };
  return { id: `edit:${locationKey(recordId, platform, where)}`, again: true, edit: { by, version } };
}

/** `INC0001001:slack` for the service channel's card; `REQ0001001:slack:person:<id>` for a person's own. */
const locationKey = (recordId: string, platform: string, where?: string) => (where ? `${recordId}:${platform}:${where}` : `${recordId}:${platform}`);
