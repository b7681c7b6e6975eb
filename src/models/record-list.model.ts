import { Schema } from 'mongoose';

/**
 * A record's place in a list of open records (a person's open incidents, a group's queue, a
 * service's open incidents), at one version of the record. `gone` says it left the list at that
 * version. `item` holds the little the list sorts and counts by (priority, when it was opened).
 */
export interface ListedRecord {
  recordId: string;
  version: number;
  item?: Record<string, string | number>;
  gone?: boolean;
  at: Date;
}

/**
 * One change to a list, written only by inserts (FerretDB 1.24 makes no update atomic, so two
 * processes updating one list document would lose entries, docs/storage.md §1): `<list>:<n>` holds
 * change n, slots claimed from 1 in order, read by `_id`. Purged a day after, once folded into the
 * snapshot.
 */
export interface ListEntryDoc extends ListedRecord {
  _id: string;
  list: string;
  n: number;
}

/**
 * A list's head, folded up to change `upTo`: the list's pages in place order (`pages`, see
 * packPageRefs), each a document of its own found by `_id`, so a read costs the pages it needs and a
 * fold the pages its changes fall in, however long the list. Pages are never rewritten: a fold
 * writes the pages it changed anew and then the head; the pages it replaced (`retired`, with when)
 * are removed once no fold or read can still be on its way to them. Two folds racing leave one of
 * two correct heads, and readers fold the entries after it. Text fields, not arrays of objects:
 * FerretDB decodes a document field by field, and a queue of 1,500 records as an array of objects
 * took it over 50 ms to read. A head written before pages existed holds its records itself (`records`).
 */
export interface ListSnapshotDoc {
  _id: string;
  upTo: number;
  pages?: string;
  retired?: string;
  records?: string;
  foldedAt: Date;
}

/** A page of a list's records in place order (list-pages.ts), departures of the last hour among them (`records`, see packPage). */
export interface ListPageDoc {
  _id: string;
  list: string;
  records: string;
  at: Date;
}

const listedFields = { recordId: String, version: Number, item: Schema.Types.Mixed, gone: Boolean, at: Date };

export const listEntrySchema = new Schema<ListEntryDoc>({ _id: String, list: String, n: Number, ...listedFields }, { versionKey: false });
listEntrySchema.index({ at: 1 });

export const listSnapshotSchema = new Schema<ListSnapshotDoc>({ _id: String, upTo: Number, pages: String, retired: String, records: String, foldedAt: Date }, { versionKey: false });

export const listPageSchema = new Schema<ListPageDoc>({ _id: String, list: String, records: String, at: Date }, { versionKey: false });
listPageSchema.index({ at: 1 });

/** A page's records as its JSON text: `[recordId, version, item, at in ms, 1 if gone]` (a departure keeps its item: where it is). */
export const packPage = (records: readonly ListedRecord[]): string =>
  JSON.stringify(records.map((r) => [r.recordId, r.version, r.item ?? null, new Date(r.at).getTime(), r.gone ? 1 : 0]));

export function unpackPage(text: string): ListedRecord[] {
  return (JSON.parse(text) as [string, number, Record<string, string | number> | null, number, number][]).map(([recordId, version, item, at, gone]) => ({
    recordId,
    version,
    ...(item ? { item } : {}),
    ...(gone ? { gone: true } : {}),
    at: new Date(at),
  }));
}

/** A head's records before pages existed, as its JSON text: `[recordId, version, item or null (gone), at in ms]`. */
export const packRecords = (records: readonly ListedRecord[]): string =>
  JSON.stringify(records.map((r) => [r.recordId, r.version, r.gone ? null : (r.item ?? {}), new Date(r.at).getTime()]));

export function unpackRecords(text: string | undefined): ListedRecord[] {
  if (!text) return [];
  return (JSON.parse(text) as [string, number, Record<string, string | number> | null, number][]).map(([recordId, version, item, at]) => ({
    recordId,
    version,
    ...(item === null ? { gone: true } : { item }),
    at: new Date(at),
  }));
}
