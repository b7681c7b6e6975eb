import type { Model } from 'mongoose';
import { isDuplicateKey } from './duplicate-key';
import { findByIds } from './find-by-ids';
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

/**
 * Inserts each of `docs` whose `_id` is free, in one command rather than one each; resolves to
 * those this call inserted. Should any be refused (taken, or the storage busy for some), the
 * stored ones are read back and `isMine` tells them apart (a field unique to this call), and the
 * missing ones inserted one by one: after a refused document, what FerretDB 1.24 reports as
 * inserted need not match what it inserted.
 */
export async function insertEachOnce<T extends { _id: string }>(model: Model<T>, docs: readonly T[], isMine: (stored: T) => boolean): Promise<T[]> {
  if (docs.length === 0) return [];
  if (docs.length === 1) return (await insertOnce(model, docs[0] as T)) ? [...docs] : [];
  try {
    await retryWhileBusy(() => model.collection.insertMany(docs as never[], { ordered: false }));
    return [...docs];
  } catch (error) {
    if (!(error as { writeErrors?: unknown }).writeErrors) throw error;
  }
  const stored = await findByIds(model, docs.map((doc) => doc._id));
  const mine: T[] = [];
  for (const [i, doc] of docs.entries()) {
    const found = stored[i];
    if (found ? isMine(found) : await insertOnce(model, doc)) mine.push(doc);
  }
  return mine;
}
