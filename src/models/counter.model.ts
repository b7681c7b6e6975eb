import { Schema } from 'mongoose';

/** One document per number series (INC, REQ, …): the highest number known to be claimed. A hint only. */
export interface CounterDoc {
  _id: string;
  seq: number;
}

export const counterSchema = new Schema<CounterDoc>({ _id: String, seq: { type: Number, required: true } }, { versionKey: false });

/** One document per number handed out (`INC0001001`): its unique _id is what makes the number taken. */
export interface NumberClaimDoc {
  _id: string;
  at: Date;
}

export const numberClaimSchema = new Schema<NumberClaimDoc>({ _id: String, at: Date }, { versionKey: false });
