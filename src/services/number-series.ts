import type { Model } from 'mongoose';
import type { CounterDoc } from '../models/counter.model';

export const SERIES = { incident: 'INC', request: 'REQ', problem: 'PRB', change: 'CHG', knowledge: 'KB' } as const;
export type Series = (typeof SERIES)[keyof typeof SERIES];

/** Numbers start after this, so the first incident is INC0001001. */
const FIRST_SEQ = 1000;

const isDuplicateKey = (error: unknown) => (error as { code?: number }).code === 11000;

/** Creates the counter of every series that has none yet (safe to run from several processes at once). */
export async function ensureNumberSeries(counters: Model<CounterDoc>): Promise<void> {
  for (const series of Object.values(SERIES)) {
    try {
      await counters.updateOne({ _id: series }, { $setOnInsert: { seq: FIRST_SEQ } }, { upsert: true });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error; // another process created it first
    }
  }
}

/**
 * Hands out human numbers from one counter document per series with an atomic $inc:
 * never reused, never duplicated, whatever the concurrency.
 */
export async function nextNumber(counters: Model<CounterDoc>, series: Series): Promise<string> {
  let counter = await counters.findOneAndUpdate({ _id: series }, { $inc: { seq: 1 } }, { returnDocument: 'after' });
  if (!counter) {
    await ensureNumberSeries(counters);
    counter = await counters.findOneAndUpdate({ _id: series }, { $inc: { seq: 1 } }, { returnDocument: 'after' });
  }
  if (!counter) throw new Error(`number series ${series} could not be created`);
  return `${series}${String(counter.seq).padStart(7, '0')}`;
}
