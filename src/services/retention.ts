import { retryWhileBusy } from '../db/retry-while-busy';
import type { Models } from '../models/models';

/** Keys that only guard against a request being handled twice: worthless once no retry can come. */
const RETRY_KEY_PREFIXES = ['slack-request:', 'intake-takeover:', 'dedupe:'] as const;
const DAY_MS = 86_400_000;

export interface PurgeReport {
  retryKeys: number;
  notifications: number;
  attempts: number;
  processBeats: number;
}

/**
 * What opsdesk keeps only for a while: retry keys, and notifications that reached an end
 * (delivered or failed) with their attempts, after `retentionDays`; heartbeats of processes gone
 * for a day. Records, their audit trails and pending notifications are kept. On FerretDB's SQLite
 * storage these reads scan their collections (docs/storage.md §2), which is why this runs daily.
 */
export class Retention {
  constructor(
    private readonly models: Models,
    private readonly retentionDays: number,
  ) {}

  async purge(now: Date): Promise<PurgeReport> {
    const cutoff = new Date(now.getTime() - this.retentionDays * DAY_MS);
    let retryKeys = 0;
    for (const prefix of RETRY_KEY_PREFIXES) {
      const removed = await retryWhileBusy(() => this.models.RecordKey.deleteMany({ _id: { $regex: `^${prefix}` }, at: { $lt: cutoff } }));
      retryKeys += removed.deletedCount;
    }
    let notifications = 0;
    let attempts = 0;
    const ended = await this.models.NotificationAttempt.find({ _id: { $regex: '#final$' }, at: { $lt: cutoff } }).select({ _id: 1 }).lean();
    for (const final of ended) {
      const id = final._id.slice(0, -'#final'.length);
      const removed = await retryWhileBusy(() => this.models.NotificationAttempt.deleteMany({ _id: { $regex: `^${escapeRegex(id)}#` } }));
      attempts += removed.deletedCount;
      notifications += (await retryWhileBusy(() => this.models.Notification.deleteOne({ _id: id }))).deletedCount;
    }
    const beats = await retryWhileBusy(() => this.models.ProcessBeat.deleteMany({ at: { $lt: new Date(now.getTime() - DAY_MS) } }));
    return { retryKeys, notifications, attempts, processBeats: beats.deletedCount };
  }
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
