import { Schema } from 'mongoose';

/**
 * One entry of an append-only log read by `_id` (`<log>:<n>`, n zero-padded): the web console's
 * feed of what changed and each conversation's history. Inserting the entry claims its slot.
 * `<log>:head` holds a recent slot number, where finding the end starts.
 */
export interface SlotDoc<T = unknown> {
  _id: string;
  n: number;
  body: T;
  at: Date;
}

export const slotSchema = new Schema<SlotDoc>({ _id: String, n: Number, body: Schema.Types.Mixed, at: Date }, { versionKey: false });
