import type { Model } from 'mongoose';
import type { CounterDoc, RecordKeyDoc } from '../models/counter.model';
import { claimKey } from './record-keys';

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
 * Hands out the next human number of a series to `recordId`: never reused, never duplicated,
 * consecutive.
 *
 * The claim is the insert of the record key `number:INC0001001`: a unique _id is the one write
 * that is atomic on MongoDB and FerretDB alike (FerretDB 1.x applies `$inc` as read-then-write,
 * so two concurrent `findOneAndUpdate`s can return the same value). The counter document only
 * tells where to start: it always names a claimed number, and a number is only tried after the
 * one before it was taken, so the claimed numbers stay consecutive.
 */
export async function nextNumber(counters: Model<CounterDoc>, keys: Model<RecordKeyDoc>, series: Series, recordId: string): Promise<string> {
  const counter = await counters.findById(series).lean();
  let candidate = (counter?.seq ?? FIRST_SEQ) + 1;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const number = format(series, candidate);
    if (await claimKey(keys, `number:${number}`, recordId)) {
      // Moving the hint forward may lose to a concurrent move; it only ever lags, never skips.
      await counters.updateOne({ _id: series, seq: { $lt: candidate } }, { $set: { seq: candidate } });
      return number;
    }
    const latest = await counters.findById(series).lean();
    candidate = Math.max(candidate + 1, (latest?.seq ?? FIRST_SEQ) + 1);
  }
  throw new Error(`no free number in series ${series} after ${MAX_ATTEMPTS} attempts`);
}
