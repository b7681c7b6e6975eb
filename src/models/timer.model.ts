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
  /** The start of its bucket (later than `dueAt` when it was set after its instant had passed). */
  bucketAt: Date;
}

export const timerSchema = new Schema<TimerDoc>(
  { _id: String, kind: { type: String, required: true }, ref: { type: String, required: true }, dueAt: Date, bucketAt: Date },
  { versionKey: false },
);

/**
 * The wheel's markers, insert-only and read by `_id`: `minute:<shard>:<n>` / `hour:<shard>:<n>`
 * (some timer falls in that minute or hour), so a tick catching up after a pause skips empty
 * hours with one lookup each; `once:<kind>:<ref>:<instant>` claims of `scheduleOnce`; and
 * `fired:<shard>:<bucket>:<n>`: the first n timers of a bucket were read ahead and have run.
 */
export interface TimerIndexDoc {
  _id: string;
  /** When the stretch it stands for is over: after that (and a margin) it can be swept. */
  until: Date;
}

export const timerIndexSchema = new Schema<TimerIndexDoc>({ _id: String, until: Date }, { versionKey: false });

/**
 * How far each shard has been worked through (`cursor:<shard>`): `bucket`, the last bucket whose
 * timers have all run (a tick goes on from it), and `readTo`, the last bucket read (a timer written
 * late lands after it). Kept in a collection of its own, of one document per shard: a
 * FerretDB/SQLite without our _id index reads a whole collection to update one document
 * (docs/storage.md §4), so what is updated every tick lives apart from what grows.
 */
export interface TimerCursorDoc {
  _id: string;
  bucket: number;
  /** Absent in cursors saved before it was kept: then `bucket`. */
  readTo?: number;
  at: Date;
}

export const timerCursorSchema = new Schema<TimerCursorDoc>({ _id: String, bucket: Number, readTo: Number, at: Date }, { versionKey: false });
