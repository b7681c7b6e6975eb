import { Schema } from 'mongoose';

/**
 * Where a record's card lives on one platform (`INC0001001:slack`; a person's or a group's own card:
 * `REQ0001001:slack:person:<id>`, `…:group:<key>`), so later changes edit it in place and reply in its thread. Kept apart from the record: writing it never races a change.
 * Without `messageId` it is a claim: a delivery is posting the card now.
 */
export interface CardLocationDoc {
  _id: string;
  recordId: string;
  platform: 'slack' | 'teams' | 'web';
  channel: string;
  messageId?: string;
  /** The record's version the card shows: an older edit arriving late is not drawn over a newer one. */
  version?: number;
  /** Which delivery claimed the first post, and when (a claim older than the delivery lease was left by a dead process). */
  claimedBy?: string;
  claimedAt?: Date;
  /** The claim was made to list the card in a digest (folded-cards.ts), not to post it: only its claimant looks for it there. */
  listing?: boolean;
  /**
   * The card was not posted on its own: its channel was backed up, so the record was listed in this
   * digest instead (the claim stays the listing delivery's). Its next change once the channel is
   * quiet posts the card; meanwhile its thread lines are listed in a digest too.
   */
  foldedInto?: string;
  at: Date;
}

export const cardLocationDocSchema = new Schema<CardLocationDoc>(
  { _id: String, recordId: String, platform: String, channel: String, messageId: String, version: Number, claimedBy: String, claimedAt: Date, listing: Boolean, foldedInto: String, at: Date },
  { versionKey: false },
);
