import { Schema } from 'mongoose';

/** One document per number series (INC, REQ, …): the highest number known to be claimed. A hint only. */
export interface CounterDoc {
  _id: string;
  seq: number;
}

export const counterSchema = new Schema<CounterDoc>({ _id: String, seq: { type: Number, required: true } }, { versionKey: false });

/**
 * A unique key claimed for a record, such as `dedupe:<platform request id>`. Inserting it is the
 * claim (a unique _id is atomic on MongoDB and FerretDB alike), and finding the record by it is a
 * lookup by _id, the one query FerretDB's SQLite storage pushes down.
 */
export interface RecordKeyDoc {
  _id: string;
  recordId: string;
  at: Date;
}

export const recordKeySchema = new Schema<RecordKeyDoc>({ _id: String, recordId: String, at: Date }, { versionKey: false });
// The daily purge of retry keys (src/services/retention.ts).
recordKeySchema.index({ at: 1 });
