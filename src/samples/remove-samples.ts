import { insertOnce } from '../db/insert-once';
import { retryWhileBusy } from '../db/retry-while-busy';
import type { Models } from '../models/models';
import { SERIES } from '../services/number-series';
import { SAMPLE_KEYS } from './sample-keys';
import { writeOutOfLists } from './sample-lists';
import { removeReadTimers } from './sample-timers';

type Sample = { _id: string; version: number };

/**
 * Removes the sample tickets (`sample: true`) and what belongs to them alone: their audit events,
 * notifications and their attempts, web messages, card locations, approval votes, record keys
 * (dedupe, escalation marks) and the timers already read; writes them out of the lists of open
 * records. Audit chains are per record, so every other record's chain still verifies. Remembers the
 * removal first (samples are then never made again) with the numbers removed, so a run interrupted
 * halfway is finished by the next. Other records are left as they are, even one that names a sample
 * (a problem's linked incident, a change's collision).
 */
export async function removeSamples(models: Models, now: () => Date = () => new Date()): Promise<{ removed: number }> {
  const found = await sampleRecords(models);
  const ids = await rememberRemoval(models, found.map((s) => s._id), now());
  const idList = [...ids];
  await writeOutOfLists(models, found, now);
  const notifications = (await models.Notification.find({ recordId: { $in: idList } }, { _id: 1 }).lean()).map((n) => n._id);
  await remove(models.NotificationAttempt, { notificationId: { $in: notifications } });
  await remove(models.Notification, { _id: { $in: notifications } });
  for (const model of [models.WebMessage, models.CardLocation, models.ApprovalVote, models.RecordKey]) await remove(model, { recordId: { $in: idList } });
  await removeReadTimers(models, ids);
  await remove(models.AuditEvent, { recordId: { $in: idList } });
  await keepNumbersTaken(models, idList);
  // The records last: until then, a run interrupted finds them again by their mark.
  let removed = 0;
  for (const records of [models.Incident, models.ServiceRequest, models.Change]) removed += await remove(records, { _id: { $in: idList } });
  return { removed };
}

async function sampleRecords(models: Models): Promise<Sample[]> {
  const marked = { sample: true };
  const found = await Promise.all([
    models.Incident.find(marked, { _id: 1, version: 1 }).lean<Sample[]>(),
    models.ServiceRequest.find(marked, { _id: 1, version: 1 }).lean<Sample[]>(),
    models.Change.find(marked, { _id: 1, version: 1 }).lean<Sample[]>(),
  ]);
  return found.flat();
}

/** The removal's mark, naming every sample removed (those of an earlier, interrupted run too). */
async function rememberRemoval(models: Models, found: readonly string[], at: Date): Promise<Set<string>> {
  if (await insertOnce(models.RecordKey, { _id: SAMPLE_KEYS.removed, recordId: found.join(' '), at })) return new Set(found);
  const earlier = await models.RecordKey.findById(SAMPLE_KEYS.removed).lean();
  return new Set([...(earlier?.recordId.split(' ').filter(Boolean) ?? []), ...found]);
}

/**
 * A record's first audit event is what claimed its number (src/services/number-series.ts): with it
 * gone, the counter's hint is all that keeps a number already shown (a card left in a channel) from
 * being handed out again, so it is moved past the highest one removed.
 */
async function keepNumbersTaken(models: Models, ids: readonly string[]): Promise<void> {
  for (const series of Object.values(SERIES)) {
    const taken = ids.filter((id) => id.startsWith(series) && /^\d+$/.test(id.slice(series.length))).map((id) => Number(id.slice(series.length)));
    if (taken.length === 0) continue;
    const highest = Math.max(...taken);
    await retryWhileBusy(() => models.Counter.updateOne({ _id: series, seq: { $lt: highest } }, { $set: { seq: highest } }));
  }
}

/** Any model: each is asked only to delete what the filter finds. */
type Deletable = { deleteMany(filter: never): PromiseLike<{ deletedCount: number }> };

async function remove(model: Deletable, filter: Record<string, unknown>): Promise<number> {
  return (await retryWhileBusy(async () => model.deleteMany(filter as never))).deletedCount;
}
