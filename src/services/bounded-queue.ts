/**
 * A bounded queue of tasks run at most `concurrency` at a time. Two uses:
 * - the notifier's deliveries (`src/services/notifier.ts`), run beside the timer wheel rather than
 *   inside its tick: a slow platform call (or one paced to wait for its channel's turn) holds a
 *   slot, never a whole shard. When `limit` deliveries wait, one more is refused (`offer` answers
 *   false) and stays with its lease timer in the database, to be tried when that falls due: memory
 *   does not grow with a backlog the platforms' limits hold up. What waits here is also leased in
 *   the database, so a process that dies with work queued loses none of it;
 * - the Slack requests handed over to the work thread (`src/slack-work-thread.ts`), worked a few at a
 *   time so that a burst waits as request bodies rather than as work begun; there the answering
 *   thread's overload gate bounds how many wait, so `limit` is left unbounded.
 */
export class BoundedQueue {
  private readonly waiting: (() => Promise<void>)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private running = 0;

  constructor(
    // Most of a delivery's time is spent waiting for its channel's turn (a timer, no work): many may
    // wait at once, so that a page to a quiet channel never queues behind cards for a busy one. A
    // turn further off than 30 s is reserved and waited for in the database, so a busy channel holds
    // about 30 here. Each holds its messages' views: under the soak's overload 3,000 held about 50 MB.
    private readonly concurrency = 300,
    private readonly limit = 600,
  ) {}

  get size(): number {
    return this.waiting.length + this.running;
  }

  /** Whether one more would be refused. */
  get full(): boolean {
    return this.waiting.length >= this.limit;
  }

  /** Queues the task unless the queue is full; false when it is (the task is not run). */
  offer(task: () => Promise<void>): boolean {
    if (this.full) return false;
    this.waiting.push(task);
    this.next();
    return true;
  }

  /** Resolves once nothing waits or runs (tests, and a stopping process within its grace). */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private next(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const task = this.waiting.shift() as () => Promise<void>;
      this.running += 1;
      // Tasks handle their own failures; a throw here is a bug, and must not stop the queue.
      void task()
        .catch(() => undefined)
        .finally(() => {
          this.running -= 1;
          this.next();
          if (this.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
        });
    }
  }
}
