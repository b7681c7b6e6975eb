import type { App } from '../../../src/app';
import type { Database } from '../../../src/db/connect';
import type { IncidentDoc } from '../../../src/models/incident.model';
import { RecordLists } from '../../../src/services/record-lists';
import { listOpenIncidentsOnce } from '../../../jobs/maintenance/list-open-incidents-once';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import type { ListView } from '../../../src/views/view-model';
import pino from 'pino';
import { createApp } from '../../../src/app';
import { startWatchingIncident } from '../../../jobs/sla/start-watching-incident';
import { JAMIE, SAM, TestClock, buildActor, buildApp, buildConfig, cardOf, reportInput, run } from '../../support/factories';
import { commandsDuring, countCommands, dropTestDatabase, openTestDatabase } from '../../support/test-database';

const closedIncident = (n: number): IncidentDoc =>
  ({
    _id: `INC9${String(n).padStart(6, '0')}`,
    number: `INC9${String(n).padStart(6, '0')}`,
    title: `Closed long ago ${n}`,
    description: 'history',
    service: 'vpn',
    impact: 'medium',
    urgency: 'medium',
    priority: 'P3',
    state: 'closed',
    majorIncident: false,
    assignmentGroup: 'service-desk',
    requesterId: 'someone',
    requesterName: 'Someone',
    source: { platform: 'slack' },
    dedupeKey: `closed:${n}`,
    reopenCount: 0,
    sla: { startedAt: new Date(0), respondMinutes: 30, resolveMinutes: 480, calendarKey: 'seoul-office', responseDueAt: null, resolutionDueAt: null, pauses: [] },
    durations: {},
    comments: [],
    version: 6,
    auditHead: 'x',
    createdAt: new Date(0),
    updatedAt: new Date(0),
  }) as unknown as IncidentDoc;

/** `_id` is one string, or `{$in: [strings]}`. */
const isIdOrIdList = (id: unknown): boolean =>
  typeof id === 'string' || (typeof id === 'object' && id !== null && Object.keys(id).join() === '$in' && (id as { $in: unknown[] }).$in.every((v) => typeof v === 'string'));

describe('lists of open incidents, found by _id (real database)', () => {
  let database: Database;
  let app: App;
  const clock = new TestClock(new Date('2026-11-24T10:00:00+09:00'));

  beforeAll(async () => {
    database = await openTestDatabase('incident_lists', { monitorCommands: true });
    app = await buildApp(database, clock);
  });
  afterAll(() => dropTestDatabase(database));

  it('pages /itsm mine and /itsm queue: 15 at a time, where the page sits, the ways to its neighbours; resolved ones leave', async () => {
    const jamie = await buildActor(app, JAMIE);
    const sam = await buildActor(app, SAM);
    const numbers: string[] = [];
    for (let i = 0; i < 34; i++) {
      clock.advanceMinutes(1);
      const priority = i % 3 === 0 ? { impact: 'high', urgency: 'high' } : {};
      numbers.push(cardOf(await run(app, INCIDENT_IDS.report, jamie, reportInput({ summary: `Paging ${i}`, ...priority }))).recordId as string);
    }
    await app.jobs.wheel.idle(); // their `created` jobs, run at once, list them
    for (const number of numbers.slice(0, 4)) {
      await run(app, INCIDENT_IDS.resolve, sam, { recordId: number, code: 'solved_permanently', notes: 'Done.' });
    }

    const first = (await run(app, INCIDENT_IDS.mine, jamie, { page: 1 })).views[0] as ListView;
    expect(first.items).toHaveLength(15);
    expect(first.range).toBe('1–15 of 30');
    expect(first.pages?.map((p) => [p.actionId, p.value])).toEqual([[INCIDENT_IDS.mine, '2']]);
    // Newest first; the resolved ones are no longer there.
    expect(first.items.map((c) => c.recordId)).toEqual([...numbers].reverse().slice(0, 15));
    const second = (await run(app, INCIDENT_IDS.mine, jamie, { page: 2 })).views[0] as ListView;
    expect(second.range).toBe('16–30 of 30');
    expect(second.pages?.map((p) => p.value)).toEqual(['1']);
    expect(second.items.map((c) => c.recordId)).toEqual([...numbers].reverse().slice(15, 30));

    // The queue: most urgent first (the P1s), then oldest.
    const queue = (await run(app, INCIDENT_IDS.queue, sam, { page: 1 })).views[0] as ListView;
    const listed = await Promise.all(queue.items.map((c) => app.ctx.incidents.findById(c.recordId as string)));
    const priorities = listed.map((i) => i?.priority);
    expect(priorities).toEqual([...priorities].sort());
    expect(queue.range).toBe('전체 30건 중 1–15'); // Sam reads Korean
  });

  it("a report's request writes none of its lists: its created job does, once though the job runs twice", async () => {
    // Jobs not run at once: the request's own writes alone.
    const requestOnly = await createApp({ database, config: buildConfig(), log: pino({ level: 'silent' }), now: clock.now, runDueTimersAtOnce: false });
    const jamie = await buildActor(requestOnly, JAMIE);
    const number = cardOf(await run(requestOnly, INCIDENT_IDS.report, jamie, reportInput({ summary: 'Listed by its job' }))).recordId as string;
    const entries = () => database.models.ListEntry.countDocuments({ recordId: number });
    expect(await entries()).toBe(0);
    await startWatchingIncident(requestOnly.jobs, number);
    await startWatchingIncident(requestOnly.jobs, number); // and again, from its timer
    expect(await entries()).toBe(3); // the requester's, the group's, the service's
    const mine = (await run(requestOnly, INCIDENT_IDS.mine, jamie, { page: 1 })).views[0] as ListView;
    expect(mine.items.map((c) => c.recordId)).toContain(number);
  });

  it('an incident acknowledged before its created job ran is still listed by that job', async () => {
    const requestOnly = await createApp({ database, config: buildConfig(), log: pino({ level: 'silent' }), now: clock.now, runDueTimersAtOnce: false });
    const jamie = await buildActor(requestOnly, JAMIE);
    const sam = await buildActor(requestOnly, SAM);
    const number = cardOf(await run(requestOnly, INCIDENT_IDS.report, jamie, reportInput({ summary: 'Acknowledged at once' }))).recordId as string;
    const seen = (await requestOnly.ctx.incidents.findById(number))!;
    expect((await run(requestOnly, INCIDENT_IDS.ack, sam, { recordId: number, cardVersion: seen.version })).views[0]?.kind).toBe('card');
    await startWatchingIncident(requestOnly.jobs, number);
    const lists = new RecordLists(database.models, clock.now);
    for (const list of ['incident.group:service-desk', `incident.requester:${jamie.id}`, 'incident.service:vpn']) {
      expect((await lists.members(list)).map((m) => m.recordId)).toContain(number);
    }
  });

  it('a list read is lookups by _id alone (a page\'s incidents one find), and costs the same with 20 or 600 closed incidents in the collection', async () => {
    const jamie = await buildActor(app, JAMIE);
    const sam = await buildActor(app, SAM);
    const read = async () => {
      await run(app, INCIDENT_IDS.mine, jamie, { page: 1 });
      await run(app, INCIDENT_IDS.queue, sam, { page: 1 });
      await run(app, INCIDENT_IDS.status, jamie, {});
    };
    await read(); // the lists' snapshots exist from here on
    await database.models.Incident.insertMany(Array.from({ length: 20 }, (_, i) => closedIncident(i)));
    const few = await commandsDuring(database, read);
    await database.models.Incident.insertMany(Array.from({ length: 580 }, (_, i) => closedIncident(20 + i)));
    const many = await commandsDuring(database, read);

    for (const command of [...few, ...many]) {
      expect(command.name).toMatch(/^(find|insert)$/);
      if (command.name === 'find') expect(Object.keys(command.filter as object)).toEqual(['_id']);
      // One value, or a list of them, which the embedded server reads through its index on `_id`.
      if (command.name === 'find') expect({ filter: command.filter, byId: isIdOrIdList((command.filter as { _id: unknown })._id) }).toEqual({ filter: command.filter, byId: true });
    }
    expect(many.length).toBe(few.length);
    // mine, queue and status each read their page's incidents with one find.
    const incidentReads = few.filter((c) => c.name === 'find' && c.collection === 'incidents');
    expect(incidentReads).toHaveLength(3);
    expect((incidentReads[1]?.filter as { _id: { $in: string[] } })._id.$in).toHaveLength(15);
  });

  it('two processes writing one list at once lose nothing; the list is folded as it goes', async () => {
    const now = () => new Date();
    const one = new RecordLists(database.models, now);
    const other = new RecordLists(database.models, now);
    await Promise.all(
      Array.from({ length: 80 }, (_, i) => (i % 2 ? one : other).write('test.busy', { recordId: `R${i}`, version: 1, item: { priority: 'P3' } })),
    );
    expect((await one.members('test.busy')).map((m) => m.recordId).sort()).toEqual(Array.from({ length: 80 }, (_, i) => `R${i}`).sort());
    const snapshot = await database.models.ListSnapshot.findById('test.busy').lean();
    expect(snapshot?.upTo).toBeGreaterThanOrEqual(64);
    // Slots have no holes: 1..80, each taken once.
    const entries = await database.models.ListEntry.find({ list: 'test.busy' }).lean();
    expect(entries.map((e) => e.n).sort((a, b) => a - b)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
  });

  it('a writer folding the list reads only the changes other processes wrote: its own it has', async () => {
    const now = () => new Date();
    const writer = new RecordLists(database.models, now);
    const other = new RecordLists(database.models, now);
    const write = (lists: RecordLists, i: number) => lists.write('test.fold', { recordId: `F${i}`, version: 1, item: { priority: 'P3' } });
    for (let i = 1; i <= 15; i++) await write(writer, i);
    // The 16th change is folded by its writer: the head, and the end looked for after it (two slots,
    // one find); the page the changes fall in written anew, the head read again (no other fold
    // wrote one meanwhile), then written.
    const alone = await countCommands(database, () => write(writer, 16));
    expect(alone).toEqual({ insert: 2, find: 3, update: 1 });
    // Of the next 16, the other process wrote 3 (the 20th, 24th, 28th): those 3 are read, in one find.
    for (let i = 17; i <= 31; i++) await write(i % 4 === 0 ? other : writer, i);
    const mixed = await countCommands(database, () => write(writer, 32));
    expect(mixed).toEqual({ insert: 2, find: 3 + 1, update: 1 });
    expect((await other.members('test.fold')).map((m) => m.recordId).sort()).toEqual(Array.from({ length: 32 }, (_, i) => `F${i + 1}`).sort());
  });

  it('a record is where its newest version put it: a late write of an older version does not bring it back', async () => {
    const lists = new RecordLists(database.models, () => new Date());
    await lists.write('test.versions', { recordId: 'A', version: 2, item: { priority: 'P2' } });
    await lists.write('test.versions', { recordId: 'A', version: 3, gone: true });
    await lists.write('test.versions', { recordId: 'A', version: 2, item: { priority: 'P2' } });
    expect(await lists.members('test.versions')).toEqual([]);
    await lists.fold('test.versions');
    await lists.write('test.versions', { recordId: 'A', version: 4, item: { priority: 'P1' } });
    expect((await lists.members('test.versions')).map((m) => [m.recordId, m.version, m.item])).toEqual([['A', 4, { priority: 'P1' }]]);
  });

  it('an incident whose departure was lost (a crash between its change and its list) is left out when read, and written out', async () => {
    const jamie = await buildActor(app, JAMIE);
    const number = cardOf(await run(app, INCIDENT_IDS.report, jamie, reportInput({ summary: 'Lost departure' }))).recordId as string;
    await app.jobs.wheel.idle(); // listed by its `created` job
    // The change landed on the record alone.
    await database.models.Incident.updateOne({ _id: number }, { $set: { state: 'resolved', version: 9 } });
    const mine = async () => ((await run(app, INCIDENT_IDS.mine, jamie, { page: 1 })).views[0] as ListView).items.map((c) => c.recordId);
    expect(await mine()).not.toContain(number);
    const members = await new RecordLists(database.models, () => new Date()).members(`incident.requester:${jamie.id}`);
    expect(members.map((m) => m.recordId)).not.toContain(number);
  });

  it('a database from before the lists: the first start writes its open incidents into their lists, once', async () => {
    const older = Array.from({ length: 3 }, (_, i) => ({ ...closedIncident(900 + i), state: i === 2 ? 'closed' : 'in_progress', requesterId: 'from-before-the-lists' }));
    await database.models.Incident.insertMany(older);
    const mine = async () => (await app.ctx.incidents.reportedBy('from-before-the-lists', 0, 15)).records.map((i) => i._id).sort();
    expect(await mine()).toEqual([]);

    expect(await listOpenIncidentsOnce(app.jobs)).toBeGreaterThanOrEqual(2);
    expect(await mine()).toEqual([older[0]!._id, older[1]!._id]);
    expect((await app.ctx.incidents.queueOf(['service-desk'], 0, 100)).records.map((i) => i._id)).toEqual(expect.arrayContaining([older[0]!._id, older[1]!._id]));
    // Marked done: a later start reads nothing.
    const again = await commandsDuring(database, async () => expect(await listOpenIncidentsOnce(app.jobs)).toBeUndefined());
    expect(again.map((c) => c.name)).toEqual(['find']);
  });

  it('a list read again costs its head and the changes since (one lookup of two slots when there are none); a slot still being written is read again', async () => {
    const lists = new RecordLists(database.models, () => new Date());
    for (let i = 1; i <= 5; i++) await lists.write('test.read-again', { recordId: `R${i}`, version: 1, item: { priority: 'P3' } });
    await lists.members('test.read-again');
    const again = await commandsDuring(database, () => lists.members('test.read-again'));
    expect(again.map((c) => [c.name, (c.filter as { _id: string })._id])).toEqual([
      ['find', 'test.read-again'],
      ['find', { $in: ['test.read-again:6', 'test.read-again:7'] }],
    ]);

    // Another process's writer has slot 6 and is still inserting it while slot 7 lands.
    const entry = (n: number, recordId: string) => ({ _id: `test.read-again:${n}`, list: 'test.read-again', n, recordId, version: 1, item: { priority: 'P2' }, at: new Date() });
    await database.models.ListEntry.create(entry(7, 'R7'));
    expect((await lists.members('test.read-again')).map((m) => m.recordId).sort()).toEqual(['R1', 'R2', 'R3', 'R4', 'R5', 'R7']);
    await database.models.ListEntry.create(entry(6, 'R6'));
    expect((await lists.members('test.read-again')).map((m) => m.recordId).sort()).toEqual(['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7']);
  });
});

