import { retryWhileBusy } from '../db/retry-while-busy';
import type { Models } from '../models/models';
import { refersOnlyTo } from './sample-keys';

/**
 * Removes the records' timers that the wheel has read already, and their `scheduleOnce` claims.
 * A timer still ahead of its shard's cursor stays: a bucket's timers are slots read in order up to
 * the first free one (src/services/timer-wheel.ts), so deleting it would hide the timers after it.
 * It wakes to nothing (every timer's job reads its record, or notification, first and stops when
 * there is none) and goes with the hourly sweep.
 */
export async function removeReadTimers(models: Models, ids: ReadonlySet<string>): Promise<number> {
  if (ids.size === 0) return 0;
  const cursors = new Map((await models.TimerCursor.find().lean()).map((c) => [c._id, c.bucket]));
  const read: string[] = [];
  for await (const timer of models.Timer.find({}, { ref: 1 }).lean().cursor()) {
    if (!refersOnlyTo(timer.ref, ids)) continue;
    const [shard, bucket] = timer._id.split(':');
    if (Number(bucket) <= (cursors.get(`cursor:${shard}`) ?? -Infinity)) read.push(timer._id);
  }
  // `once:<kind>:<ref>:<instant>` and its `…:set`: the kind holds no colon, the reference comes next.
  const claims = (await models.TimerIndex.find({ _id: { $regex: '^once:' } }, { _id: 1 }).lean())
    .map((c) => c._id)
    .filter((id) => ids.has(id.slice(id.indexOf(':', 'once:'.length) + 1).split(/[:#]/)[0] ?? ''));
  const timers = await retryWhileBusy(() => models.Timer.deleteMany({ _id: { $in: read } }));
  const markers = await retryWhileBusy(() => models.TimerIndex.deleteMany({ _id: { $in: claims } }));
  return timers.deletedCount + markers.deletedCount;
}
