import type { Model } from 'mongoose';
import type { RecordKeyDoc } from '../models/counter.model';
import { isDuplicateKey } from '../db/duplicate-key';
import { retryWhileBusy } from '../db/retry-while-busy';

/** Claims `key` for `recordId`; false when someone holds it already. */
export async function claimKey(keys: Model<RecordKeyDoc>, key: string, recordId: string): Promise<boolean> {
  try {
    await retryWhileBusy(() => keys.collection.insertOne({ _id: key as never, recordId, at: new Date() }));
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

export async function releaseKey(keys: Model<RecordKeyDoc>, key: string, recordId: string): Promise<void> {
  await retryWhileBusy(() => keys.deleteOne({ _id: key, recordId }));
}
