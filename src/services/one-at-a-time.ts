/**
 * Runs work one at a time per key within this process, in the order it was asked for. Callers of
 * the same key at once would otherwise race for the same next slot or turn, collide, and step past
 * each other's (a failed insert each time): queued, each finds the slot the one before it left.
 */
export class OneAtATime {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const mine = previous.then(work);
    const settled = mine.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, settled);
    // The last in line takes its key away, so the map holds only keys with work under way.
    void settled.then(() => {
      if (this.tails.get(key) === settled) this.tails.delete(key);
    });
    return mine;
  }
}
