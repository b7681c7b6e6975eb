import { insertOnce } from '../db/insert-once';
import { retryWhileBusy } from '../db/retry-while-busy';
import type { Models } from '../models/models';
import type { WebMessageDoc } from '../models/web-message.model';
import type { CardView } from '../views/view-model';
import type { SlotLogs } from './slot-log';
import { findByIds } from '../db/find-by-ids';

/** Every write, in order, for the pages' live updates. */
const FEED = 'web.feed';
const historyOf = (conversation: string) => `web.conversation:${conversation}`;
/** Messages read at once when a page opens a conversation. */
const READ_BATCH = 16;

/**
 * The web console's conversations as stored: cards drawn in place, lines and direct messages kept
 * once each. Everything is found by `_id` (docs/storage.md §2): each conversation's messages in
 * the order posted, and every write in the feed the pages follow live, are append-only logs.
 */
export class WebMessages {
  constructor(
    private readonly models: Models,
    private readonly logs: SlotLogs,
  ) {}

  /**
   * Draws the record's card in the conversation: the first time posted, later written over, but
   * never with an older version than the one it shows (edits of several processes cross). Read and
   * written by `_id` alone: a conditional update would scan the collection, and is not atomic on
   * FerretDB anyway (docs/storage.md §1).
   */
  async drawCard(id: string, conversation: string, recordId: string, view: CardView, at: Date): Promise<void> {
    const version = view.version ?? 0;
    for (;;) {
      const drawn = await this.models.WebMessage.findById(id, { version: 1, listed: 1 }).lean<Pick<WebMessageDoc, 'version' | 'listed'>>();
      if (!drawn) {
        // Another delivery posting it at the same moment: then compared with theirs.
        if (!(await this.firstPost({ _id: id, conversation, recordId, kind: 'card', view, version, postedAt: at, at }))) continue;
      } else {
        if ((drawn.version ?? 0) <= version) await retryWhileBusy(() => this.models.WebMessage.updateOne({ _id: id }, { $set: { view, version, at } }));
        if (!drawn.listed) await this.list(id, conversation);
      }
      // A newer drawing is shown already: nothing for the pages.
      if (drawn && (drawn.version ?? 0) > version) return;
      await this.logs.append(FEED, { _id: id, conversation, recordId, kind: 'card', view, version, at, postedAt: at });
      return;
    }
  }

  /**
   * A line or a direct message, kept once however often it is delivered. `again`: an earlier
   * attempt may have stored it (then only what it did not finish is done).
   */
  async post(message: WebMessageDoc, again = false): Promise<void> {
    const stored = again ? await this.models.WebMessage.findById(message._id, { listed: 1 }).lean<Pick<WebMessageDoc, 'listed'>>() : null;
    if (stored?.listed) return;
    if (stored) await this.list(message._id, message.conversation);
    else if (!(await this.firstPost(message))) return;
    await this.logs.append(FEED, message);
  }

  /**
   * Into the conversation's order first, then stored already marked listed: one write fewer than
   * marking it afterwards. Should the process die between the two, the order names a message that
   * is not there (skipped when read), and the next attempt adds it again (read once).
   */
  private async firstPost(message: WebMessageDoc): Promise<boolean> {
    await this.logs.append(historyOf(message.conversation), message._id);
    return insertOnce(this.models.WebMessage, { ...message, listed: true });
  }

  /** Into the conversation's order, then marked so (an entry written twice is read once). */
  private async list(id: string, conversation: string): Promise<void> {
    await this.logs.append(historyOf(conversation), id);
    await retryWhileBusy(() => this.models.WebMessage.updateOne({ _id: id }, { $set: { listed: true } }));
  }

  async exists(id: string): Promise<boolean> {
    return (await this.models.WebMessage.findById(id, { _id: 1 }).lean()) !== null;
  }

  /** The conversation's latest messages, oldest first, as they are now (a card at its last drawing). */
  async latest(conversation: string, limit: number): Promise<WebMessageDoc[]> {
    const ids = [...new Set((await this.logs.last<string>(historyOf(conversation), limit)).map((entry) => entry.body))];
    const messages: WebMessageDoc[] = [];
    for (let i = 0; i < ids.length; i += READ_BATCH) {
      const batch = await findByIds(this.models.WebMessage, ids.slice(i, i + READ_BATCH));
      messages.push(...batch.filter((m): m is WebMessageDoc => m !== null));
    }
    return messages;
  }

  /** Where the feed ends now: the live pages are sent what comes after. */
  feedEnd(): Promise<number> {
    return this.logs.end(FEED);
  }

  /** What was written after feed slot `after`, in order (at most `limit`), with its slot. */
  async feedAfter(after: number, limit: number): Promise<{ n: number; message: WebMessageDoc }[]> {
    return (await this.logs.after<WebMessageDoc>(FEED, after, limit)).map((entry) => ({ n: entry.n, message: entry.body }));
  }
}
