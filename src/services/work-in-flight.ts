/**
 * The work a process does after answering a request (the platform already has its 200): tracked,
 * so that a stopping process finishes it before closing the database.
 */
export class WorkInFlight {
  private readonly running = new Set<Promise<unknown>>();

  /** How much is running now. */
  get size(): number {
    return this.running.size;
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    const promise = work();
    const tracked = promise.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
    // The caller handles the outcome; the tracked copy only marks the end.
    tracked.catch(() => undefined);
    return promise;
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
