import type { Model } from 'mongoose';
import { isDuplicateKey } from './duplicate-key';
import { retryWhileBusy } from './retry-while-busy';

/**
 * Inserts `doc` unless its `_id` is taken; true when this call inserted it. The one claim that is
 * atomic on MongoDB and FerretDB alike (see docs/storage.md).
 */
export async function insertOnce<T extends { _id: string }>(model: Model<T>, doc: T): Promise<boolean> {
  try {
    await retryWhileBusy(() => model.collection.insertOne(doc as never));
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}
