import { Schema } from 'mongoose';

/**
 * One turn to call a platform (`<platform>:<what is limited>:<turn>`): taking a turn is inserting
 * its document, so every process shares one pace per channel or method. Insert-only; purged daily.
 */
export interface PaceSlotDoc {
  _id: string;
  /** The end of the turn: after it, the document is only history. */
  until: Date;
  /** A turn reserved ahead for one caller (`hold:<key>:<holder>`): when its turn begins. */
  turnAt?: Date;
  /** A turn held for a thing's edits (one card): the edit that goes at it, and the version it draws. */
  by?: string;
  version?: number;
}

export const paceSlotSchema = new Schema<PaceSlotDoc>({ _id: String, until: Date, turnAt: Date, by: String, version: Number }, { versionKey: false });
paceSlotSchema.index({ until: 1 });
