import type { Model } from 'mongoose';
import type { RecordKeyDoc } from '../models/counter.model';
import { insertOnce } from '../db/insert-once';
import { retryWhileBusy } from '../db/retry-while-busy';

/** Claims `key` for `recordId`; false when someone holds it already. */
export function claimKey(keys: Model<RecordKeyDoc>, key: string, recordId: string): Promise<boolean> {
  return insertOnce(keys, { _id: key, recordId, at: new Date() });
}

export async function releaseKey(keys: Model<RecordKeyDoc>, key: string, recordId: string): Promise<void> {
  await retryWhileBusy(() => keys.deleteOne({ _id: key, recordId }));
}
