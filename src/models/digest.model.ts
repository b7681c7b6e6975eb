import { Schema } from 'mongoose';
import type { ActionView } from '../views/view-model';

/**
 * Lines that would have waited too long for their channel's turn, posted together as one message
 * edited in place as more arrive (`<platform>:<channel>:<reason>:<window>:p<part>`). Its message's
 * location is kept with the card locations, under the digest's id.
 */
export interface DigestDoc {
  _id: string;
  platform: string;
  channel: string;
  reason: string;
  /** Each line, with the one action its message offered (a page's Acknowledge), if any. */
  entries: { recordId: string; text: string; action?: ActionView }[];
  createdAt: Date;
}

export const digestSchema = new Schema<DigestDoc>(
  { _id: String, platform: String, channel: String, reason: String, entries: [{ _id: false, recordId: String, text: String, action: Schema.Types.Mixed }], createdAt: Date },
  { versionKey: false },
);
digestSchema.index({ createdAt: 1 });
