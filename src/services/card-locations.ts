import { insertOnce } from '../db/insert-once';
import { retryWhileBusy } from '../db/retry-while-busy';
import type { Models } from '../models/models';
import type { CardLocationDoc } from '../models/card-location.model';

/**
 * Where each record's card was posted on each platform. The first post is claimed before it is
 * made, so that two deliveries racing (a report's card waiting for its channel's turn, an
 * acknowledgement's edit from a DM page) never post two cards: the one that finds the claim waits.
 */
export class CardLocations {
  constructor(private readonly models: Models) {}

  find(recordId: string, platform: CardLocationDoc['platform']): Promise<CardLocationDoc | null> {
    return this.models.CardLocation.findById(`${recordId}:${platform}`).lean<CardLocationDoc>().exec();
  }

  /** Claims the first post of the record's card for one delivery (`by`): false when another has. */
  claimFirstPost(recordId: string, platform: CardLocationDoc['platform'], channel: string, by: string, at: Date): Promise<boolean> {
    return insertOnce(this.models.CardLocation, { _id: `${recordId}:${platform}`, recordId, platform, channel, claimedBy: by, claimedAt: at, at });
  }

  /** Where the card is, and which version of the record it shows now. */
  async remember(recordId: string, platform: CardLocationDoc['platform'], channel: string, messageId: string, version?: number): Promise<void> {
    await retryWhileBusy(() =>
      this.models.CardLocation.updateOne(
        { _id: `${recordId}:${platform}` },
        { $set: { recordId, platform, channel, messageId, at: new Date(), ...(version !== undefined ? { version } : {}) } },
        { upsert: true },
      ),
    );
  }
}
