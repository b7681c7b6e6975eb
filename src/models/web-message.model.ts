import { Schema } from 'mongoose';
import type { CardView } from '../views/view-model';

/**
 * What the web console shows in a conversation: a record's card (edited in place: one document per
 * conversation and record), a line in its thread, or a direct message. Found by `_id` only: each
 * conversation's order and the live feed are logs of their own (src/services/web-messages.ts).
 */
export interface WebMessageDoc {
  _id: string;
  /** `service:<key>`, `group:<key>`, `person:<person id>`, `major-incidents`. */
  conversation: string;
  recordId: string;
  kind: 'card' | 'line' | 'message';
  view: CardView;
  /** The record's version the card shows: an older edit arriving late is not drawn over a newer one. */
  version?: number;
  /** A line's card (its `_id`). */
  threadOf?: string;
  postedAt: Date;
  at: Date;
  /** Written into its conversation's order (set after the log's entry: missing, a delivery writes it). */
  listed?: boolean;
}

export const webMessageSchema = new Schema<WebMessageDoc>(
  {
    _id: String,
    conversation: { type: String, required: true },
    recordId: { type: String, required: true },
    kind: { type: String, required: true },
    view: { type: Schema.Types.Mixed, required: true },
    version: Number,
    threadOf: String,
    postedAt: { type: Date, required: true },
    at: { type: Date, required: true },
    listed: Boolean,
  },
  { versionKey: false },
);
