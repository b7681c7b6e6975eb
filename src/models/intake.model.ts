import { Schema } from 'mongoose';

/**
 * A request acknowledged to a platform, stored before the acknowledgement and removed once its
 * work is done (`<platform>:<request key>`). One left behind by a process that died is replayed.
 */
export interface IntakeDoc {
  _id: string;
  platform: string;
  /** The process that acknowledged it (its boot id): replayed once that process stops beating. */
  owner: string;
  /** What the platform sent, as the platform's adapter needs it to do the work again. */
  payload: string;
  receivedAt: Date;
  /** After a failed replay: not before this. */
  retryAt?: Date;
}

export const intakeSchema = new Schema<IntakeDoc>(
  { _id: String, platform: String, owner: String, payload: String, receivedAt: Date, retryAt: Date },
  { versionKey: false },
);

/** A running process's heartbeat (`_id` = its boot id): work it holds is left alone while it beats. */
export interface ProcessBeatDoc {
  _id: string;
  at: Date;
}

export const processBeatSchema = new Schema<ProcessBeatDoc>({ _id: String, at: Date }, { versionKey: false });
