import type { Model } from 'mongoose';
import type { RecordKeyDoc } from '../models/counter.model';
import { insertOnce } from '../db/insert-once';
import { retryWhileBusy } from '../db/retry-while-busy';

/** Claims `key` for `recordId`; false when someone holds it already. */
export function claimKey(keys: Model<RecordKeyDoc>, key: string, recordId: string): Promise<boolean> {
  return insertOnce(keys, { _id: key, recordId, at: new Date() });
}

/**
 * Lets go of `key` when `recordId` holds it. Read, then deleted by `_id` alone: the one filter
 * FerretDB's SQLite storage serves without reading the whole collection (docs/storage.md §2); a
 * filter on the holder as well read every key, inside a write, and was no more atomic there.
 */
export async function releaseKey(keys: Model<RecordKeyDoc>, key: string, recordId: string): Promise<void> {
  const held = await keys.findById(key).lean();
  if (held?.recordId !== recordId) return;
  await retryWhileBusy(() => keys.deleteOne({ _id: key }));
}

/**
 * Lets go of `key`, found held by `holder` and abandoned (its process died), so that `by` may claim
 * it: of several finding it so at once, one lets it go, having inserted `key-takeover:<key>:<holder>`
 * first; the others get false. A conditional delete would not decide it (docs/storage.md §1).
 */
export async function releaseAbandonedKey(keys: Model<RecordKeyDoc>, key: string, holder: string, by: string): Promise<boolean> {
  if (!(await claimKey(keys, `key-takeover:${key}:${holder}`, by))) return false;
  await releaseKey(keys, key, holder);
  return true;
}
