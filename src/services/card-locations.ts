import { retryWhileBusy } from '../db/retry-while-busy';
import type { Models } from '../models/models';
import type { CardLocationDoc } from '../models/card-location.model';

/** Where each record's card was posted on each platform. */
export class CardLocations {
  constructor(private readonly models: Models) {}

  find(recordId: string, platform: CardLocationDoc['platform']): Promise<CardLocationDoc | null> {
    return this.models.CardLocation.findById(`${recordId}:${platform}`).lean<CardLocationDoc>().exec();
  }

  async remember(recordId: string, platform: CardLocationDoc['platform'], channel: string, messageId: string): Promise<void> {
    await retryWhileBusy(() =>
      this.models.CardLocation.updateOne(
        { _id: `${recordId}:${platform}` },
        { $set: { recordId, platform, channel, messageId, at: new Date() } },
        { upsert: true },
      ),
    );
  }
}
