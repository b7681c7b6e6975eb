import type { Logger } from '../../src/logger';
import type { WebMessageDoc } from '../../src/models/web-message.model';
import type { WebMessages } from '../../src/services/web-messages';

/** How often the feed looks for what changed while anyone listens. */
const POLL_MS = 200;
/**
 * Writes of several processes commit out of their `at` order: each look reads this far back, and
 * what it sent already (same id, same `at`) is not sent again.
 */
const LOOK_BACK_MS = 3_000;
const BATCH = 1_000;

export type FeedListener = (message: WebMessageDoc) => void;

/**
 * The console's live updates: one reader per process follows what every process wrote (cards
 * drawn, lines, direct messages) and hands each change to the pages listening here. It reads only
 * while a page listens.
 */
export class LiveFeed {
  private readonly listeners = new Set<FeedListener>();
  /** What was handed on, by message: its `at` and version (a card redrawn in the same millisecond is still new). */
  private readonly sent = new Map<string, { at: number; drawn: string }>();
  private cursor = 0;
  /** Where a full batch ended: the next look starts there, so a burst larger than a batch is read through. */
  private floor = 0;
  private timer: NodeJS.Timeout | undefined;
  private reading = false;

  constructor(
    private readonly messages: WebMessages,
    private readonly now: () => Date,
    private readonly log: Logger,
  ) {}

  listen(listener: FeedListener): () => void {
    if (this.listeners.size === 0) this.start();
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  get listening(): number {
    return this.listeners.size;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private start(): void {
    this.cursor = this.now().getTime();
    this.sent.clear();
    this.timer = setInterval(() => void this.read(), POLL_MS);
    this.timer.unref();
  }

  private async read(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      const since = new Date(Math.max(this.cursor - LOOK_BACK_MS, this.floor));
      const changed = await this.messages.changedSince(since, BATCH);
      this.floor = changed.length === BATCH ? changed.at(-1)!.at.getTime() : 0;
      for (const message of changed) {
        const at = message.at.getTime();
        const drawn = `${at}:${message.version ?? ''}`;
        if (this.sent.get(message._id)?.drawn === drawn) continue;
        this.sent.set(message._id, { at, drawn });
        this.cursor = Math.max(this.cursor, at);
        for (const listener of this.listeners) listener(message);
      }
      for (const [id, { at }] of this.sent) if (at < this.cursor - 2 * LOOK_BACK_MS) this.sent.delete(id);
    } catch (error) {
      this.log.warn({ err: error }, 'the console\'s live feed could not read: trying again');
    } finally {
      this.reading = false;
    }
  }
}
