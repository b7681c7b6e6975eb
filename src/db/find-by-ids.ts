import type { Connection, Model } from 'mongoose';

/** A list longer than this is read in several finds (the embedded server pushes down at most 1,000 ids). */
const IDS_PER_FIND = 500;
/** A storage found unable to serve an `_id` list by index is asked again after this long (its index may come). */
const ASK_AGAIN_AFTER_MS = 60_000;

/** Per connection and collection: whether `{_id: {$in: [...]}}` is served by an index, and until when that is known. */
const known = new WeakMap<Connection, Map<string, { byIndex: boolean; until: number }>>();

/**
 * The documents with these `_id`s, in the order asked (null where there is none): one `find` with
 * `_id` `$in` the list where the storage serves that by an index, else one `find` by `_id` each,
 * all at once. FerretDB's own SQLite storage pushes down only `{_id: value}` and would read the
 * whole collection for a list; the embedded server pushes down the list too (docs/storage.md §2),
 * and MongoDB reads it through the `_id` index. The storage's query plan decides, once per
 * collection and connection.
 */
export async function findByIds<T>(model: Model<T>, ids: readonly string[], projection?: Record<string, number>): Promise<(T | null)[]> {
  if (ids.length === 0) return [];
  if (ids.length === 1 || !(await listServedByIndex(model))) {
    return Promise.all(ids.map((id) => model.findById(id, projection).lean<T>().exec()));
  }
  const byId = new Map<string, T>();
  const distinct = [...new Set(ids)];
  for (let i = 0; i < distinct.length; i += IDS_PER_FIND) {
    const chunk = distinct.slice(i, i + IDS_PER_FIND);
    // All in the first reply, the cursor closed with it (a first batch is at most 101 documents by
    // default, and a full one is followed by a getMore to learn the end): one round trip.
    const found = await model.find({ _id: { $in: chunk } }, projection).limit(chunk.length).batchSize(chunk.length).lean<(T & { _id: unknown })[]>().exec();
    for (const doc of found) byId.set(String(doc._id), doc);
  }
  return ids.map((id) => byId.get(id) ?? null);
}

/** Whether the storage reads `{_id: {$in: [...]}}` in this model's collection through an index (its plan says so). */
export async function listServedByIndex<T>(model: Model<T>): Promise<boolean> {
  const connection = model.db;
  const name = model.collection.collectionName;
  let collections = known.get(connection);
  if (!collections) known.set(connection, (collections = new Map()));
  const answer = collections.get(name);
  if (answer && (answer.byIndex || Date.now() < answer.until)) return answer.byIndex;
  const byIndex = planUsesIndex(await explainIdList(model).catch(() => undefined));
  collections.set(name, { byIndex, until: Date.now() + ASK_AGAIN_AFTER_MS });
  return byIndex;
}

async function explainIdList<T>(model: Model<T>): Promise<Record<string, unknown>> {
  const explained: unknown = await model.find({ _id: { $in: ['opsdesk:probe:1', 'opsdesk:probe:2'] } }).explain('queryPlanner').exec();
  return (Array.isArray(explained) ? explained[0] : explained) as Record<string, unknown>;
}

/**
 * FerretDB says whether it pushed the filter down (`filterPushdown`): its own SQLite storage does
 * not for a list, the embedded server does, and gives every table an index on the very expression
 * it searches (embedded-db/id_index.go), added within half a second of the table. (Its plan can
 * still say `SCAN` on a connection opened before the index was: SQLite's EXPLAIN does not reload a
 * changed schema, while the query itself does.) A collection FerretDB does not have yet has no
 * pushdown. MongoDB's winning plan reads the `_id` index, never the whole collection (`COLLSCAN`).
 */
export function planUsesIndex(explained: Record<string, unknown> | undefined): boolean {
  if (!explained) return false;
  if ('filterPushdown' in explained) return explained.filterPushdown === true;
  const plan = JSON.stringify(explained.queryPlanner ?? {});
  return plan.length > 2 && !plan.includes('COLLSCAN');
}
