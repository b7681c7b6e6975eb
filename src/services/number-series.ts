import type { Model } from 'mongoose';
import { isDuplicateKey } from '../db/duplicate-key';
import { retryWhileBusy } from '../db/retry-while-busy';
import type { CounterDoc } from '../models/counter.model';

export const SERIES = { incident: 'INC', request: 'REQ', problem: 'PRB', change: 'CHG', knowledge: 'KB' } as const;
export type Series = (typeof SERIES)[keyof typeof SERIES];

/** Numbers start after this, so the first incident is INC0001001. */
const FIRST_SEQ = 1000;
const MAX_ATTEMPTS = 10_000;
/** The counter document is moved forward every this many numbers (and whenever a claim collided). */
const HINT_EVERY = 10;


export const formatNumber = (series: Series, seq: number) => `${series}${String(seq).padStart(7, '0')}`;

/** Creates the counter of every series that has none yet (safe to run from several processes at once). */
export async function ensureNumberSeries(counters: Model<CounterDoc>): Promise<void> {
  for (const series of Object.values(SERIES)) {
    try {
      await retryWhileBusy(() => counters.updateOne({ _id: series }, { $setOnInsert: { seq: FIRST_SEQ } }, { upsert: true }));
    } catch (error) {
      if (!isDuplicateKey(error)) throw error; // another process created it first
    }
  }
}

/** The last number this process tried per series: concurrent creates in one process each take the next one. */
const lastTried = new Map<string, number>();

/** The next candidate for this process, taken synchronously so that no two of its calls try the same one. */
function reserve(cacheKey: string, atLeast: number): number {
  const candidate = Math.max(atLeast, (lastTried.get(cacheKey) ?? 0) + 1);
  lastTried.set(cacheKey, candidate);
  return candidate;
}

/**
 * Hands out the next human number of a series: never reused, never duplicated.
 *
 * `claim(number)` makes the number taken by inserting a document whose unique _id contains it
 * (the record's first audit event, `INC0001001:1`), and answers false when it was taken already.
 * A unique _id is the one write that is atomic on MongoDB and FerretDB alike: FerretDB 1.x applies
 * `$inc` as read-then-write, so two concurrent `findOneAndUpdate`s can return the same value.
 * Each process hands its own calls consecutive candidates; the counter document, which always
 * names a claimed number, tells a process where to go on when another one got there first.
 * Numbers stay consecutive unless a process dies between choosing a number and claiming it.
 */
export async function claimNextNumber(
  counters: Model<CounterDoc>,
  series: Series,
  claim: (number: string) => Promise<boolean>,
): Promise<string> {
  const cacheKey = `${counters.db.name}/${series}`;
  let candidate = lastTried.has(cacheKey)
    ? reserve(cacheKey, 0)
    : reserve(cacheKey, ((await counters.findById(series).lean())?.seq ?? FIRST_SEQ) + 1);
  let collided = false;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const number = formatNumber(series, candidate);
    if (await claim(number)) {
      // The hint may lag (a concurrent move, or up to HINT_EVERY numbers): a lagging hint costs
      // a few collisions after a restart, never a repeated number.
      if (collided || candidate % HINT_EVERY === 0) {
        await retryWhileBusy(() => counters.updateOne({ _id: series, seq: { $lt: candidate } }, { $set: { seq: candidate } }));
      }
      return number;
    }
    // Another process took it: continue after the newest hint.
    collided = true;
    const latest = await counters.findById(series).lean();
    candidate = reserve(cacheKey, (latest?.seq ?? FIRST_SEQ) + 1);
  }
  throw new Error(`no free number in series ${series} after ${MAX_ATTEMPTS} attempts`);
}
