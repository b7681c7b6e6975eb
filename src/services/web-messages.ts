import { isDuplicateKey } from '../db/duplicate-key';
import { insertOnce } from '../db/insert-once';
import { retryWhileBusy } from '../db/retry-while-busy';
import type { Models } from '../models/models';
import type { WebMessageDoc } from '../models/web-message.model';
import type { CardView } from '../views/view-model';

/** The web console's conversations as stored: cards drawn in place, lines and direct messages kept once each. */
export class WebMessages {
  constructor(private readonly models: Models) {}

  /**
   * Draws the record's card in the conversation: the first time posted, later written over, but
   * never with an older version than the one it shows (edits of several processes cross).
   */
  async drawCard(id: string, conversation: string, recordId: string, view: CardView, at: Date): Promise<void> {
    const version = view.version ?? 0;
    try {
      await retryWhileBusy(() =>
        this.models.WebMessage.updateOne(
          { _id: id, $or: [{ version: { $lte: version } }, { version: { $exists: false } }] },
          { $set: { view, version, at, conversation, recordId, kind: 'card' }, $setOnInsert: { postedAt: at } },
          { upsert: true },
        ),
      );
    } catch (error) {
      // A newer version is drawn already: the upsert's insert found its id taken.
      if (!isDuplicateKey(error)) throw error;
    }
  }

  /** A line or a direct message, kept once however often it is delivered. */
  async post(message: WebMessageDoc): Promise<void> {
    await insertOnce(this.models.WebMessage, message);
  }

  async exists(id: string): Promise<boolean> {
    return (await this.models.WebMessage.exists({ _id: id })) !== null;
  }

  /** The conversation's latest messages, oldest first. */
  async latest(conversation: string, limit: number): Promise<WebMessageDoc[]> {
    const newest = await this.models.WebMessage.find({ conversation }).sort({ postedAt: -1 }).limit(limit).lean<WebMessageDoc[]>();
    return newest.reverse();
  }

  /** What was written at or after `since`, in the order written (at most `limit`). */
  changedSince(since: Date, limit: number): Promise<WebMessageDoc[]> {
    return this.models.WebMessage.find({ at: { $gte: since } }).sort({ at: 1 }).limit(limit).lean<WebMessageDoc[]>();
  }
}
