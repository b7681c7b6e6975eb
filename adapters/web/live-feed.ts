import type { Logger } from '../../src/logger';
import type { WebMessageDoc } from '../../src/models/web-message.model';
import type { WebMessages } from '../../src/services/web-messages';

/** How often the feed looks for what changed while anyone listens. */
const POLL_MS = 200;
const BATCH = 500;

export type FeedListener = (message: WebMessageDoc) => void;

/**
 * The console's live updates: one reader per process follows the feed every process writes
 * (cards drawn, lines, direct messages; src/services/web-messages.ts) and hands each change to
 * the pages listening here. It reads only while a page listens: a quiet feed costs a lookup a turn.
 */
export class LiveFeed {
  private readonly listeners = new Set<FeedListener>();
  private position: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reading = false;

  constructor(
    private readonly messages: WebMessages,
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
    this.position = undefined;
  }

  private start(): void {
    this.timer = setInterval(() => void this.read(), POLL_MS);
    this.timer.unref();
    void this.read();
  }

  private async read(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      // Where the feed ends when the first page listens: that page has just read what came before.
      if (this.position === undefined) this.position = await this.messages.feedEnd();
      const changes = await this.messages.feedAfter(this.position, BATCH);
      for (const { n, message } of changes) {
        this.position = n;
        for (const listener of this.listeners) listener(message);
      }
    } catch (error) {
      this.log.warn({ err: error }, "the console's live feed could not read: trying again");
    } finally {
      this.reading = false;
    }
  }
}
