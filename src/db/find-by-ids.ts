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

interface Batch<T> {
  ids: Set<string>;
  waiting: { ids: readonly string[]; resolve: (found: (T | null)[]) => void; reject: (error: unknown) => void }[];
}

/** The reads by `_id` waiting for this turn of the event loop to end, per model and projection. */
const gathering = new WeakMap<object, Map<string, Batch<unknown>>>();

/**
 * As `findByIds`, but the reads any caller asks of this collection in the same turn of the event
 * loop go together, as one find: the lists of a person's App Home, and the card lookups of the
 * deliveries a click sets off, are each one command rather than one per list or delivery. A reply
 * waits for nothing but the end of the turn. Meant for documents of plain values (strings, numbers,
 * dates): a document two callers asked for is copied for the second, so neither sees the other's
 * changes to it.
 */
export function findByIdsTogether<T>(model: Model<T>, ids: readonly string[], projection?: Record<string, number>): Promise<(T | null)[]> {
  if (ids.length === 0) return Promise.resolve([]);
  const key = projection ? JSON.stringify(projection) : '';
  let batches = gathering.get(model);
  if (!batches) gathering.set(model, (batches = new Map()));
  const batch = (batches.get(key) as Batch<T> | undefined) ?? openBatch(model, batches, key, projection);
  for (const id of ids) batch.ids.add(id);
  return new Promise((resolve, reject) => batch.waiting.push({ ids, resolve, reject }));
}

/** A batch for this turn's reads, sent once the turn ends. */
function openBatch<T>(model: Model<T>, batches: Map<string, Batch<unknown>>, key: string, projection?: Record<string, number>): Batch<T> {
  const batch: Batch<T> = { ids: new Set(), waiting: [] };
  batches.set(key, batch as Batch<unknown>);
  setImmediate(() => {
    batches.delete(key);
    void sendTogether(model, batch, projection);
  });
  return batch;
}

/** One document by `_id` (null where there is none), read together with the others asked in this turn. */
export async function findByIdTogether<T>(model: Model<T>, id: string, projection?: Record<string, number>): Promise<T | null> {
  return (await findByIdsTogether(model, [id], projection))[0] ?? null;
}

async function sendTogether<T>(model: Model<T>, batch: Batch<T>, projection?: Record<string, number>): Promise<void> {
  const ids = [...batch.ids];
  let found: (T | null)[];
  try {
    found = await findByIds(model, ids, projection);
  } catch (error) {
    for (const waiter of batch.waiting) waiter.reject(error);
    return;
  }
  const byId = new Map(ids.map((id, i) => [id, found[i] ?? null]));
  const handedOut = new Set<string>();
  for (const waiter of batch.waiting) {
    waiter.resolve(
      waiter.ids.map((id) => {
        const doc = byId.get(id) ?? null;
        if (doc === null) return null;
        if (handedOut.has(id)) return copyOf(doc);
        handedOut.add(id);
        return doc;
      }),
    );
  }
}

/** A copy of a document's plain values (objects, arrays, dates); any other value (an ObjectId) is shared. */
function copyOf<V>(value: V): V {
  if (value instanceof Date) return new Date(value.getTime()) as V;
  if (Array.isArray(value)) return value.map(copyOf) as V;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyOf(v)])) as V;
  }
  return value;
}
