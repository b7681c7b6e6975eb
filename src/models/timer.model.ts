import { Schema } from 'mongoose';

/**
 * A wake-up call: at `dueAt`, the job for `kind` looks at `ref` again. `_id` is
 * `<shard>:<bucket>:<slot>` so that a tick finds a bucket's timers by `_id` alone (see
 * src/services/timer-wheel.ts). A timer is a hint: what it wakes up re-checks the record.
 */
export interface TimerDoc {
  _id: string;
  kind: string;
  ref: string;
  dueAt: Date;
}

export const timerSchema = new Schema<TimerDoc>(
  { _id: String, kind: { type: String, required: true }, ref: { type: String, required: true }, dueAt: Date },
  { versionKey: false },
);

/**
 * The wheel's own bookkeeping, all by `_id`: `cursor:<shard>` (the last bucket worked through)
 * and markers `minute:<shard>:<n>` / `hour:<shard>:<n>` (some timer falls in that minute or hour),
 * so a tick that catches up after a pause skips empty hours with one lookup each.
 */
export interface TimerIndexDoc {
  _id: string;
  bucket?: number;
  at: Date;
}

export const timerIndexSchema = new Schema<TimerIndexDoc>({ _id: String, bucket: Number, at: Date }, { versionKey: false });
