import { Schema } from 'mongoose';
import type { ActionView } from '../views/view-model';

/**
 * Lines that would have waited too long for their channel's turn, posted together as one message
 * edited in place as more arrive (`<platform>:<channel>:<reason>:<window>:p<part>`). Its message's
 * location is kept with the card locations, under the digest's id; its lines are documents of
 * their own (`digest_lines`).
 */
export interface DigestDoc {
  _id: string;
  platform: string;
  channel: string;
  reason: string;
  /** Slots per block of its lines (absent: stored before blocks, its lines one sequence from slot 0). */
  blockLines?: number;
  createdAt: Date;
}

export const digestSchema = new Schema<DigestDoc>(
  { _id: String, platform: String, channel: String, reason: String, blockLines: Number, createdAt: Date },
  { versionKey: false },
);
digestSchema.index({ createdAt: 1 });

/**
 * A digest's line, written only by inserts (FerretDB 1.24 makes no update atomic, so two processes
 * adding to one list would lose lines, docs/storage.md §1): `<digest>~<b>` claims block b (slots
 * b × blockLines and on) for the one process that fills it; `<digest>:<n>` holds line n (a block's
 * slots filled from its first with no holes, read in order by `_id` like the timer wheel's); and
 * `<digest>#<record>` marks the record's line as in the digest.
 */
export interface DigestLineDoc {
  _id: string;
  digestId: string;
  /** The record the line is about (none on a block's claim). */
  recordId?: string;
  text?: string;
  /** The one action its message offered (a page's Acknowledge), if any. */
  action?: ActionView;
  createdAt: Date;
}

export const digestLineSchema = new Schema<DigestLineDoc>(
  { _id: String, digestId: String, recordId: String, text: String, action: Schema.Types.Mixed, createdAt: Date },
  { versionKey: false },
);
digestLineSchema.index({ createdAt: 1 });
