/**
 * The work a process does after answering a request (the platform already has its 200): tracked,
 * so that a stopping process finishes it before closing the database, and run a bounded number at
 * a time. Unbounded, a burst of clicks started hundreds of handlers at once, whose database
 * commands queued ahead of the next request's (its intake write before the acknowledgement): what
 * was done after one acknowledgement delayed the others'. The rest waits here, in order; the
 * overload gates count it, and turn requests away once too much waits.
 */
export class WorkInFlight {
  private readonly running = new Set<Promise<unknown>>();
  private readonly waiting: (() => void)[] = [];
  private active = 0;

  constructor(
    /** How many pieces of work run at once (those started `now` aside). */
    private readonly concurrency = 24,
  ) {}

  /** How much is running or waiting to run. */
  get size(): number {
    return this.running.size;
  }

  /**
   * Runs `work` when one of the bounded places is free, or at once with `now` (what a platform's
   * short-lived trigger waits on: a form opened within Slack's 3 s).
   */
  run<T>(work: () => Promise<T>, options: { now?: boolean } = {}): Promise<T> {
    const promise = options.now || (this.active < this.concurrency && this.waiting.length === 0) ? this.start(work) : this.queued(work);
    const tracked = promise.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
    // The caller handles the outcome; the tracked copy only marks the end.
    tracked.catch(() => undefined);
    return promise;
  }

  private queued<T>(work: () => Promise<T>): Promise<T> {
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.start(work));
  }

  private async start<T>(work: () => Promise<T>): Promise<T> {
    this.active += 1;
    try {
      return await work();
    } finally {
      this.active -= 1;
      if (this.active < this.concurrency) this.waiting.shift()?.();
    }
  }

  /** Waits for the work running now (and any it starts) for at most `timeoutMs`; what is left is still running. */
  async drain(timeoutMs: number): Promise<{ running: number }> {
    const deadline = Date.now() + timeoutMs;
    while (this.running.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))));
      await Promise.race([Promise.allSettled([...this.running]), timeout]);
      clearTimeout(timer);
    }
    return { running: this.running.size };
  }
}
