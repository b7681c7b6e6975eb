import type { Model } from 'mongoose';
import type { CounterDoc, NumberClaimDoc } from '../models/counter.model';

export const SERIES = { incident: 'INC', request: 'REQ', problem: 'PRB', change: 'CHG', knowledge: 'KB' } as const;
export type Series = (typeof SERIES)[keyof typeof SERIES];

/** Numbers start after this, so the first incident is INC0001001. */
const FIRST_SEQ = 1000;
const MAX_ATTEMPTS = 10_000;

export const isDuplicateKey = (error: unknown) => (error as { code?: number }).code === 11000;

const format = (series: Series, seq: number) => `${series}${String(seq).padStart(7, '0')}`;

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
 * Hands out the next human number of a series: never reused, never duplicated, no gaps.
 *
 * The claim is an insert into `number_claims` keyed by the number: a unique key is the one write
 * that is atomic on MongoDB and on FerretDB alike (FerretDB 1.x applies `$inc` as read-then-write,
 * so two concurrent `findOneAndUpdate`s can return the same value). The counter document only
 * tells where to start looking: it always names a claimed number, and a number is only tried
 * after the one before it was taken, so the claimed numbers stay consecutive.
 */
export async function nextNumber(counters: Model<CounterDoc>, claims: Model<NumberClaimDoc>, series: Series): Promise<string> {
  const counter = await counters.findById(series).lean();
  let candidate = (counter?.seq ?? FIRST_SEQ) + 1;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const number = format(series, candidate);
    try {
      await claims.collection.insertOne({ _id: number as never, at: new Date() });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const latest = await counters.findById(series).lean();
      candidate = Math.max(candidate + 1, (latest?.seq ?? FIRST_SEQ) + 1);
      continue;
    }
    // Moving the hint forward may lose to a concurrent, higher move: it never goes backwards far.
    await counters.updateOne({ _id: series, seq: { $lt: candidate } }, { $set: { seq: candidate } }, { upsert: false });
    return number;
  }
  throw new Error(`no free number in series ${series} after ${MAX_ATTEMPTS} attempts`);
}
