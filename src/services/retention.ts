import { retryWhileBusy } from '../db/retry-while-busy';
import { OPEN_INCIDENT_STATES } from '../domain/incident-lifecycle';
import type { Models } from '../models/models';
import { PLATFORM_BEAT_PREFIX } from './platform-presence';
import { RecordLists } from './record-lists';

/** Keys that only guard against a request being handled twice: worthless once no retry can come. */
const RETRY_KEY_PREFIXES = ['slack-request:', 'teams-request:', 'intake-takeover:', 'key-takeover:', 'card-takeover:', 'dedupe:', 'restore:'] as const;
const DAY_MS = 86_400_000;

export interface PurgeReport {
  retryKeys: number;
  notifications: number;
  attempts: number;
  processBeats: number;
  /** Acknowledged requests whose replay was given up (logged then), kept for an operator meanwhile. */
  givenUpRequests: number;
  /** Turns taken within the platforms' limits: history a day after they ended. */
  paceSlots: number;
  /** Digests of lines (and where their messages are), after the retention period. */
  digests: number;
  /** Changes to the lists of open records, a day after they were folded into their list's pages. */
  listEntries: number;
  /** Pages of lists written a day ago that their list does not name (a fold that lost a race wrote them). */
  listPages: number;
  /** The web console's live feed, a day after it was written. */
  webFeed: number;
  /** Entries of the logs of changes waiting for a quiet Slack channel, a day after they were written. */
  quietWaits: number;
  /** Console sign-in sessions past their expiry. */
  consoleSessions: number;
}

/**
 * What opsdesk keeps only for a while: retry keys, notifications that reached an end (delivered or
 * failed) with their attempts once their record is no longer open (a notification marks its SLA
 * milestone as told), digests, and requests given up on, after `retentionDays`; heartbeats of
 * processes gone for a day, turns taken within the platforms' limits a day after they ended, and
 * the changes of the lists of open records a day after they were written (folded first). Records, their audit trails and pending notifications are kept. On FerretDB's SQLite
 * storage these reads scan their collections (docs/storage.md §2), which is why this runs daily.
 */
export class Retention {
  constructor(
    private readonly models: Models,
    private readonly retentionDays: number,
  ) {}

  async purge(now: Date): Promise<PurgeReport> {
    const cutoff = new Date(now.getTime() - this.retentionDays * DAY_MS);
    // One pass over the keys for every prefix (a filter other than `_id` reads them all).
    const retryKeys = (await retryWhileBusy(() => this.models.RecordKey.deleteMany({ _id: { $regex: `^(${RETRY_KEY_PREFIXES.join('|')})` }, at: { $lt: cutoff } }))).deletedCount;
    let notifications = 0;
    let attempts = 0;
    const ended = await this.models.NotificationAttempt.find({ _id: { $regex: '#final$' }, at: { $lt: cutoff } }).select({ _id: 1 }).lean();
    for (const final of ended) {
      const id = final._id.slice(0, -'#final'.length);
      // A notification is also the mark that its milestone was told: kept while its record is open.
      if (await this.recordStillOpen(id)) continue;
      const removed = await retryWhileBusy(() => this.models.NotificationAttempt.deleteMany({ _id: { $regex: `^${escapeRegex(id)}#` } }));
      attempts += removed.deletedCount;
      notifications += (await retryWhileBusy(() => this.models.Notification.deleteOne({ _id: id }))).deletedCount;
    }
    // Processes' beats; a platform's is kept, as the mark that some process delivers there.
    const beats = await retryWhileBusy(() => this.models.ProcessBeat.deleteMany({ _id: { $not: new RegExp(`^${PLATFORM_BEAT_PREFIX}`) }, at: { $lt: new Date(now.getTime() - DAY_MS) } }));
    const givenUpFilter = { owner: 'gave-up', receivedAt: { $lt: cutoff } };
    const givenUp = await retryWhileBusy(() => this.models.Intake.deleteMany(givenUpFilter));
    await retryWhileBusy(() => this.models.IntakeInMainDatabase.deleteMany(givenUpFilter));
    const turns = await retryWhileBusy(() => this.models.PaceSlot.deleteMany({ until: { $lt: new Date(now.getTime() - DAY_MS) } }));
    const digests = await retryWhileBusy(() => this.models.Digest.deleteMany({ createdAt: { $lt: cutoff } }));
    await retryWhileBusy(() => this.models.DigestLine.deleteMany({ createdAt: { $lt: cutoff } }));
    // A digest's message location is kept like a card's, under the digest's id (`<platform>:…`).
    await retryWhileBusy(() => this.models.CardLocation.deleteMany({ _id: { $regex: '^[a-z]+:' }, at: { $lt: cutoff } }));
    // Every list is folded past its changes first: a change is removed only once its snapshot holds it.
    const lists = new RecordLists(this.models, () => now);
    await lists.foldAll();
    const listEntries = await retryWhileBusy(() => this.models.ListEntry.deleteMany({ at: { $lt: new Date(now.getTime() - DAY_MS) } }));
    const listPages = await lists.removeUnnamedPages(new Date(now.getTime() - DAY_MS));
    // The web console's live feed is followed within seconds: a day of it is plenty (its head hint stays).
    // Only slots at or below the head hint: the end of the log is found from the hint onwards, so
    // the slots after it must stay however old they are.
    const feedHead = await this.models.WebLog.findById('web.feed:head').lean();
    const webFeed = await retryWhileBusy(() =>
      this.models.WebLog.deleteMany({ _id: { $regex: '^web\\.feed:\\d' }, n: { $lte: feedHead?.n ?? 0 }, at: { $lt: new Date(now.getTime() - DAY_MS) } }),
    );
    // The same for the logs of changes waiting for a quiet channel, each below its own head hint.
    let quietWaits = 0;
    for (const head of await this.models.QuietWait.find({ _id: { $regex: ':head$' } }).lean()) {
      const log = head._id.slice(0, -':head'.length);
      quietWaits += (await retryWhileBusy(() => this.models.QuietWait.deleteMany({ _id: { $regex: `^${escapeRegex(log)}:\\d` }, n: { $lte: head.n }, at: { $lt: new Date(now.getTime() - DAY_MS) } }))).deletedCount;
    }
    const consoleSessions = await retryWhileBusy(() => this.models.ConsoleSession.deleteMany({ expiresAt: { $lt: now } }));
    return {
      retryKeys,
      notifications,
      attempts,
      processBeats: beats.deletedCount,
      givenUpRequests: givenUp.deletedCount,
      paceSlots: turns.deletedCount,
      digests: digests.deletedCount,
      listEntries: listEntries.deletedCount,
      listPages,
      webFeed: webFeed.deletedCount,
      quietWaits,
      consoleSessions: consoleSessions.deletedCount,
    };
  }

  private async recordStillOpen(notificationId: string): Promise<boolean> {
    const notification = await this.models.Notification.findById(notificationId).select({ recordId: 1 }).lean();
    if (!notification) return false;
    const incident = await this.models.Incident.findById(notification.recordId).select({ state: 1 }).lean();
    return incident !== null && OPEN_INCIDENT_STATES.includes(incident.state);
  }
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
