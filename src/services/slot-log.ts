import type { Model } from 'mongoose';
import { insertOnce } from '../db/insert-once';
import { retryWhileBusy } from '../db/retry-while-busy';
import type { SlotDoc } from '../models/slot-log.model';
import { OneAtATime } from './one-at-a-time';

/** The head hint is written every this many entries (a lower hint only costs a few more lookups). */
const HEAD_EVERY = 32;
/** Slots read at once when following a log. */
const READ_BATCH = 8;

const slotId = (log: string, n: number) => `${log}:${String(n).padStart(12, '0')}`;

/**
 * Append-only logs whose entries are found by `_id` alone, so that reading the end of one costs
 * the same however long it has grown (FerretDB's SQLite storage serves only `{_id}` from an index:
 * docs/storage.md §2). An entry is appended by inserting it under the next free slot: a slot is
 * only tried once the one before it is known taken, so a log has no holes, and its end is found by
 * galloping from a hint.
 */
export class SlotLogs {
  private readonly next = new Map<string, number>();
  private readonly appending = new OneAtATime();

  constructor(
    private readonly model: Model<SlotDoc>,
    private readonly now: () => Date,
  ) {}

  /** Appends `body` to the log; its slot number. */
  append<T>(log: string, body: T): Promise<number> {
    // One at a time per log within this process: concurrent appends would collide on one slot.
    return this.appending.run(log, async () => {
      let n = this.next.get(log) ?? (await this.end(log)) + 1;
      for (;;) {
        if (await insertOnce(this.model, { _id: slotId(log, n), n, body, at: this.now() } as SlotDoc)) break;
        n += 1;
      }
      this.next.set(log, n + 1);
      if (n % HEAD_EVERY === 0) await retryWhileBusy(() => this.model.updateOne({ _id: `${log}:head` }, { $set: { n, at: this.now() } }, { upsert: true }));
      return n;
    });
  }

  /** The last slot taken (0 for an empty log). */
  async end(log: string): Promise<number> {
    // The hint is written after its slot: it is never past the end (its slot may be purged since).
    const head = await this.model.findById(`${log}:head`).lean<SlotDoc>();
    let known = head?.n ?? 0;
    // Gallop past the hint, then halve the gap between the last slot taken and the first free.
    let step = 1;
    while (await this.has(log, known + step)) {
      known += step;
      step *= 2;
    }
    let free = known + step;
    while (free - known > 1) {
      const middle = Math.floor((known + free) / 2);
      if (await this.has(log, middle)) known = middle;
      else free = middle;
    }
    return known;
  }

  /** The entries after slot `after`, in order, up to the first free slot (at most `limit`). */
  async after<T>(log: string, after: number, limit = 1_000): Promise<SlotDoc<T>[]> {
    // A quiet log (the common case, read five times a second) costs one lookup: the next slot.
    const next = limit > 0 ? await this.read<T>(log, after + 1) : null;
    if (!next) return [];
    const found: SlotDoc<T>[] = [next];
    while (found.length < limit) {
      const from = after + found.length + 1;
      const batch = await Promise.all(Array.from({ length: Math.min(READ_BATCH, limit - found.length) }, (_, i) => this.read<T>(log, from + i)));
      const taken = batch.findIndex((entry) => entry === null);
      found.push(...((taken === -1 ? batch : batch.slice(0, taken)) as SlotDoc<T>[]));
      if (taken !== -1) break;
    }
    return found;
  }

  /** The last `count` entries, oldest first. */
  async last<T>(log: string, count: number): Promise<SlotDoc<T>[]> {
    const end = await this.end(log);
    const from = Math.max(0, end - count);
    const entries = await this.after<T>(log, from, end - from);
    return entries;
  }

  private async has(log: string, n: number): Promise<boolean> {
    return (await this.read(log, n)) !== null;
  }

  private read<T>(log: string, n: number): Promise<SlotDoc<T> | null> {
    return this.model.findById(slotId(log, n)).lean<SlotDoc<T>>().exec() as Promise<SlotDoc<T> | null>;
  }
}
