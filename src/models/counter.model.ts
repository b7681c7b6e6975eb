import { Schema } from 'mongoose';

/** One document per number series (INC, REQ, …); `seq` is the last number handed out. */
export interface CounterDoc {
  _id: string;
  seq: number;
}

export const counterSchema = new Schema<CounterDoc>({ _id: String, seq: { type: Number, required: true } }, { versionKey: false });
