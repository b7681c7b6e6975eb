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
 * A list folded up to change `upTo`: its members and its recent departures (so that a late entry
 * of an older version cannot bring a record back). Rewritten whole by whoever folds it; two
 * writers racing leave one of two correct snapshots, and readers fold the entries after it.
 * The records are one JSON text (`records`, see packRecords): FerretDB decodes a document field by
 * field, and a queue of 1,500 records as an array of objects took it over 50 ms to read.
 */
export interface ListSnapshotDoc {
  _id: string;
  upTo: number;
  records: string;
  foldedAt: Date;
}

const listedFields = { recordId: String, version: Number, item: Schema.Types.Mixed, gone: Boolean, at: Date };

export const listEntrySchema = new Schema<ListEntryDoc>({ _id: String, list: String, n: Number, ...listedFields }, { versionKey: false });
listEntrySchema.index({ at: 1 });

export const listSnapshotSchema = new Schema<ListSnapshotDoc>({ _id: String, upTo: Number, records: String, foldedAt: Date }, { versionKey: false });

/** A snapshot's records as its JSON text: `[recordId, version, item or null (gone), at in ms]`. */
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
