import type { Database } from '../../../src/db/connect';
import { unpackPage } from '../../../src/models/record-list.model';
import { Retention } from '../../../src/services/retention';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

describe('retention: what is kept only for a while (real database)', () => {
  let database: Database;
  const now = new Date('2026-11-30T00:00:00Z');
  const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

  beforeEach(async () => {
    database = await openTestDatabase('retention');
  });
  afterEach(() => dropTestDatabase(database));

  it('removes retry keys and finished notifications past the period; keeps records, escalation marks and pending notifications', async () => {
    const { RecordKey, Notification, NotificationAttempt, ProcessBeat } = database.models;
    await RecordKey.insertMany([
      { _id: 'slack-request:view_submission:old', recordId: 'slack', at: daysAgo(31) },
      { _id: 'slack-request:view_submission:new', recordId: 'slack', at: daysAgo(2) },
      { _id: 'dedupe:slack:view:V-OLD', recordId: 'INC0001001', at: daysAgo(40) },
      { _id: 'intake-takeover:slack:x:boot', recordId: 'slack:x', at: daysAgo(31) },
      { _id: 'key-takeover:dedupe:slack:view:V-OLD:INC0001001', recordId: 'INC0001002', at: daysAgo(40) },
      { _id: 'card-takeover:INC0001001:slack:boot', recordId: 'other-boot', at: daysAgo(35) },
      { _id: 'escalation:INC0001001:0', recordId: 'INC0001001', at: daysAgo(90) },
    ]);
    const notification = (id: string, createdAt: Date) => ({ _id: id, recordId: 'INC0001001', reason: id, platform: 'slack', audience: { kind: 'thread', service: 'vpn' }, view: { kind: 'card', title: 't', fields: [], actions: [] }, createdAt });
    await Notification.insertMany([notification('delivered-long-ago', daysAgo(45)), notification('delivered-lately', daysAgo(3)), notification('pending-long-ago', daysAgo(45))]);
    await NotificationAttempt.insertMany([
      { _id: 'delivered-long-ago#1', notificationId: 'delivered-long-ago', attempt: 1, at: daysAgo(45) },
      { _id: 'delivered-long-ago#1!', notificationId: 'delivered-long-ago', attempt: 1, at: daysAgo(45), outcome: 'delivered' },
      { _id: 'delivered-long-ago#final', notificationId: 'delivered-long-ago', at: daysAgo(45), outcome: 'delivered' },
      { _id: 'delivered-lately#final', notificationId: 'delivered-lately', at: daysAgo(3), outcome: 'delivered' },
      { _id: 'pending-long-ago#1', notificationId: 'pending-long-ago', attempt: 1, at: daysAgo(45) },
    ]);
    // A process's beat goes once old; a platform's stays, as the mark that some process delivers there.
    await ProcessBeat.insertMany([{ _id: 'gone', at: daysAgo(2) }, { _id: 'alive', at: now }, { _id: 'delivers:teams', at: daysAgo(40) }]);
    const { PaceSlot, Digest, CardLocation } = database.models;
    await PaceSlot.insertMany([{ _id: 'slack:ws:post:C1:1', until: daysAgo(2) }, { _id: 'slack:ws:post:C1:2', until: now }]);
    await Digest.insertMany([
      { _id: 'slack:C1:sla.resolution.50:1:p0', platform: 'slack', channel: 'C1', reason: 'sla.resolution.50', createdAt: daysAgo(31) },
      { _id: 'slack:C1:sla.resolution.50:9:p0', platform: 'slack', channel: 'C1', reason: 'sla.resolution.50', createdAt: daysAgo(1) },
    ]);
    await CardLocation.insertMany([
      { _id: 'slack:C1:sla.resolution.50:1:p0:slack', recordId: 'slack:C1:sla.resolution.50:1:p0', platform: 'slack', channel: 'C1', messageId: '1.1', at: daysAgo(31) },
      { _id: 'INC0001001:slack', recordId: 'INC0001001', platform: 'slack', channel: 'C1', messageId: '1.2', at: daysAgo(90) },
    ]);

    // A list's changes: two written two days ago and never folded, one written lately.
    const { ListEntry, ListSnapshot, ListPage } = database.models;
    await ListSnapshot.insertMany([{ _id: 'incident.group:network', upTo: 0, records: '[]', foldedAt: daysAgo(3) }]);
    // A page written two days ago by a fold that lost a race to another: its list never named it.
    await ListPage.insertMany([{ _id: 'incident.group:network#lost', list: 'incident.group:network', records: '[]', at: daysAgo(2) }]);
    await ListEntry.insertMany([
      { _id: 'incident.group:network:1', list: 'incident.group:network', n: 1, recordId: 'INC0001001', version: 1, item: { priority: 'P2' }, at: daysAgo(2) },
      { _id: 'incident.group:network:2', list: 'incident.group:network', n: 2, recordId: 'INC0001002', version: 1, item: { priority: 'P3' }, at: daysAgo(2) },
      { _id: 'incident.group:network:3', list: 'incident.group:network', n: 3, recordId: 'INC0001002', version: 2, gone: true, at: daysAgo(0.5) },
    ]);

    // The console's live feed (a day of it is kept, its head hint always) and its sign-in sessions (until they expire).
    const { WebLog, ConsoleSession } = database.models;
    await WebLog.insertMany([
      { _id: 'web.feed:000000000001', n: 1, body: {}, at: daysAgo(2) },
      { _id: 'web.feed:000000000002', n: 2, body: {}, at: daysAgo(0.5) },
      // Past the head hint: kept however old, or the log's end could no longer be found from the hint.
      { _id: 'web.feed:000000000003', n: 3, body: {}, at: daysAgo(2) },
      { _id: 'web.feed:head', n: 1, at: daysAgo(2) },
      { _id: 'web.conversation:service:vpn:000000000001', n: 1, body: 'service:vpn|INC0001001', at: daysAgo(90) },
    ]);
    // A channel's log of changes waiting for it to be quiet: the same rule, per log.
    const { QuietWait } = database.models;
    await QuietWait.insertMany([
      { _id: 'quiet:T1:C1:000000000001', n: 1, body: 'INC0001001:card.v2:card:slack', at: daysAgo(2) },
      { _id: 'quiet:T1:C1:000000000002', n: 2, body: 'INC0001001:card.v3:card:slack', at: daysAgo(2) },
      { _id: 'quiet:T1:C1:head', n: 1, at: daysAgo(2) },
      { _id: 'quiet:T1:C2:000000000001', n: 1, body: 'INC0001002:card.v2:card:slack', at: daysAgo(0.5) },
    ]);
    await ConsoleSession.insertMany([
      { _id: 'expired', personId: 'email:a@example.com', csrf: 'c', createdAt: daysAgo(20), expiresAt: daysAgo(6) },
      { _id: 'current', personId: 'email:a@example.com', csrf: 'c', createdAt: daysAgo(1), expiresAt: daysAgo(-13) },
    ]);

    const report = await new Retention(database.models, 30).purge(now);
    expect(report).toEqual({ retryKeys: 5, notifications: 1, attempts: 3, processBeats: 1, givenUpRequests: 0, paceSlots: 1, digests: 1, listEntries: 2, listPages: 1, webFeed: 1, quietWaits: 1, consoleSessions: 1 });
    expect((await WebLog.find().lean()).map((e) => e._id).sort()).toEqual(['web.conversation:service:vpn:000000000001', 'web.feed:000000000002', 'web.feed:000000000003', 'web.feed:head']);
    expect((await QuietWait.find().lean()).map((e) => e._id).sort()).toEqual(['quiet:T1:C1:000000000002', 'quiet:T1:C1:head', 'quiet:T1:C2:000000000001']);
    expect((await ConsoleSession.find().lean()).map((e) => e._id)).toEqual(['current']);
    // Folded before they went: the list still holds the first incident; the second left it (long
    // enough ago that its departure is forgotten too), and the recent change stays.
    const snapshot = await ListSnapshot.findById('incident.group:network').lean();
    expect(snapshot?.upTo).toBe(3);
    const pages = await ListPage.find({ list: 'incident.group:network' }).lean();
    expect(pages.flatMap((p) => unpackPage(p.records)).map((i) => [i.recordId, i.version, Boolean(i.gone)])).toEqual([['INC0001001', 1, false]]);
    expect((await ListEntry.find().lean()).map((e) => e._id)).toEqual(['incident.group:network:3']);
    // A record's card stays where it is, however old; an old digest's message is forgotten with it.
    expect((await CardLocation.find().lean()).map((c) => c._id)).toEqual(['INC0001001:slack']);
    expect((await RecordKey.find().lean()).map((k) => k._id).sort()).toEqual(['escalation:INC0001001:0', 'slack-request:view_submission:new']);
    expect((await Notification.find().lean()).map((n) => n._id).sort()).toEqual(['delivered-lately', 'pending-long-ago']);
    expect((await NotificationAttempt.find().lean()).map((a) => a._id).sort()).toEqual(['delivered-lately#final', 'pending-long-ago#1']);
    expect((await ProcessBeat.find().lean()).map((b) => b._id).sort()).toEqual(['alive', 'delivers:teams']);
    // Nothing more the next day.
    expect(await new Retention(database.models, 30).purge(now)).toEqual({ retryKeys: 0, notifications: 0, attempts: 0, processBeats: 0, givenUpRequests: 0, paceSlots: 0, digests: 0, listEntries: 0, listPages: 0, webFeed: 0, quietWaits: 0, consoleSessions: 0 });
  });

  it("keeps the notifications of a record still open: they mark its SLA milestones as told", async () => {
    const { Incident, Notification, NotificationAttempt } = database.models;
    await Incident.collection.insertMany([{ _id: 'INC0002001', state: 'in_progress' }, { _id: 'INC0002002', state: 'closed' }] as never[]);
    const notification = (id: string, recordId: string) => ({ _id: id, recordId, reason: 'sla.resolution.100', platform: 'slack', audience: { kind: 'thread', service: 'vpn' }, view: { kind: 'card', title: 't', fields: [], actions: [] }, createdAt: daysAgo(60) });
    await Notification.insertMany([notification('open-breach', 'INC0002001'), notification('closed-breach', 'INC0002002')]);
    await NotificationAttempt.insertMany([
      { _id: 'open-breach#final', notificationId: 'open-breach', at: daysAgo(60), outcome: 'delivered' },
      { _id: 'closed-breach#final', notificationId: 'closed-breach', at: daysAgo(60), outcome: 'delivered' },
    ]);
    expect((await new Retention(database.models, 30).purge(now)).notifications).toBe(1);
    expect((await Notification.find().lean()).map((n) => n._id)).toEqual(['open-breach']);
  });
});
