import { Schema } from 'mongoose';

/**
 * Where a record's card lives on one platform (`INC0001001:slack`), so later changes edit it in
 * place and reply in its thread. Kept apart from the record: writing it never races a change.
 */
export interface CardLocationDoc {
  _id: string;
  recordId: string;
  platform: 'slack' | 'teams' | 'web';
  channel: string;
  messageId: string;
  at: Date;
}

export const cardLocationDocSchema = new Schema<CardLocationDoc>(
  { _id: String, recordId: String, platform: String, channel: String, messageId: String, at: Date },
  { versionKey: false },
);
