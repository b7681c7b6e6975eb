import { verifyAuditChains, type AuditedRecord } from '../../../src/audit/verify-audit-chains';
import { createApp, type App } from '../../../src/app';
import { connectDatabase, type Database } from '../../../src/db/connect';
import type { ItsmConfig } from '../../../src/config/itsm-config-schema';
import type { Models } from '../../../src/models/models';
import { RecordLists } from '../../../src/services/record-lists';
import { createSamplesIfEmpty } from '../../../src/samples/create-samples';
import { removeSamples } from '../../../src/samples/remove-samples';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import { REQUEST_IDS } from '../../../src/views/request-actions';
import { JAMIE, MINJI, TestClock, buildActor, buildConfig, cardOf, reportInput, run, silentLogger } from '../../support/factories';
import { dropTestDatabase, openTestDatabase, testDatabaseUri } from '../../support/test-database';

const ROBIN = 'robin.han@example.com'; // Jamie's manager

type Doc = { _id: string } & Record<string, unknown>;
/** Every document of every collection, by collection and `_id`. */
type Contents = Map<string, Map<string, Doc>>;

async function contentsOf(models: Models): Promise<Contents> {
  const contents: Contents = new Map();
  for (const model of Object.values(models)) {
    const docs = (await model.collection.find({}).toArray()) as unknown as Doc[];
    contents.set(model.collection.collectionName, new Map(docs.map((d) => [String(d._id), d])));
  }
  return contents;
}

const idsIn = (contents: Contents, collection: string) => [...(contents.get(collection)?.keys() ?? [])].sort();

async function chainProblems(models: Models): Promise<unknown[]> {
  const problems: unknown[] = [];
  for (const records of [models.Incident, models.ServiceRequest, models.Change]) {
    const report = await verifyAuditChains(models.AuditEvent, records.collection.find({}) as unknown as AsyncIterable<AuditedRecord>);
    problems.push(...report.problems);
  }
  return problems;
}

describe('sample tickets on an empty database (real database)', () => {
  const clock = new TestClock(new Date('2026-11-24T10:00:00+09:00')); // a Tuesday morning in Seoul
  const opened: Database[] = [];
  let database: Database;
  let app: App;

  /**
   * opsdesk as main.ts starts it, on a desk some process has delivered to Slack from (its beat is
   * kept): cards are stored for Slack (the example's channels) and wait for a deliverer.
   */
  const startApp = async (on: Database, config: ItsmConfig = buildConfig()) => {
    await on.models.ProcessBeat.updateOne({ _id: 'delivers:slack' }, { $set: { at: new Date(0) } }, { upsert: true });
    return createApp({ database: on, config, log: silentLogger(), now: clock.now, platformsWithAdapters: ['slack'] });
  };
  const settle = async (...apps: App[]) => {
    for (const a of apps) {
      await a.jobs.wheel.idle();
      await a.jobs.notifier.idle();
    }
  };

  beforeEach(async () => {
    clock.set('2026-11-24T10:00:00+09:00');
    database = await openTestDatabase('samples');
    app = await startApp(database);
  });
  afterEach(async () => {
    await settle(app);
    for (const other of opened.splice(0)) await other.close();
    await dropTestDatabase(database);
  });

  it('makes one set on an empty database, however many processes start at once, and none at the next start', async () => {
    const second = await connectDatabase(testDatabaseUri(), database.connection.name);
    opened.push(second);
    const otherProcess = await startApp(second);

    const [one, two] = await Promise.all([createSamplesIfEmpty(app), createSamplesIfEmpty(otherProcess)]);
    await settle(app, otherProcess);

    const made = [...one.created, ...two.created].sort();
    expect([one.created.length, two.created.length].sort()).toEqual([0, 5]);
    expect(made).toEqual(['CHG0001001', 'INC0001001', 'INC0001002', 'INC0001003', 'REQ0001001']);
    const { Incident, ServiceRequest, Change } = database.models;
    expect([await Incident.countDocuments(), await ServiceRequest.countDocuments(), await Change.countDocuments()]).toEqual([3, 1, 1]);

    expect(await createSamplesIfEmpty(await startApp(database))).toEqual({ created: [] });
    expect(await Incident.countDocuments()).toBe(3);
  });

  it('marks each sample in its title and with `sample: true`, and makes it as a person would: audited, timed, announced', async () => {
    const { created } = await createSamplesIfEmpty(app);
    await settle(app);
    const { Incident, ServiceRequest, Change, Notification, Timer } = database.models;

    const incidents = await Incident.find().sort({ _id: 1 }).lean();
    const requests = await ServiceRequest.find().lean();
    const changes = await Change.find().lean();
    for (const record of [...incidents, ...requests, ...changes]) {
      expect(record.title.startsWith('[Sample] ')).toBe(true);
      expect(record.sample).toBe(true);
    }
    expect(incidents.map((i) => [i.service, i.priority, i.state, i.assigneeName ?? null])).toEqual([
      ['email', 'P2', 'in_progress', 'Alex Park'],
      ['vpn', 'P3', 'new', null],
      ['laptops', 'P4', 'new', null],
    ]);
    expect(requests.map((r) => [r.title, r.state, r.steps[0]?.approvers.map((a) => a.name)])).toEqual([['[Sample] New laptop', 'awaiting_approval', ['Robin Han']]]);
    expect(changes.map((c) => [c.type, c.risk, c.state, c.affectedItems, c.freezes])).toEqual([['normal', 'low', 'assessment', ['mail-gateway'], []]]);

    expect(await chainProblems(database.models)).toEqual([]);
    // In their lists, the one acknowledged at once too: the desk's queues and the requesters' own.
    expect((await app.ctx.incidents.queueOf(['messaging'], 0, 10)).records.map((i) => i._id)).toEqual(['INC0001001']);
    expect((await app.ctx.incidents.queueOf(['service-desk'], 0, 10)).records.map((i) => i._id)).toEqual(['INC0001002', 'INC0001003']);
    expect((await app.ctx.incidents.reportedBy('email:jamie.song@example.com', 0, 10)).records.map((i) => i._id)).toEqual(['INC0001003', 'INC0001001']);
    expect((await app.ctx.requests.waitingOn('email:robin.han@example.com', 0, 10)).records.map((r) => r._id)).toEqual(['REQ0001001']);
    for (const number of created) {
      // Its cards are in the outbox, and the request's carry the marker too.
      const cards = await Notification.find({ recordId: number, reason: /^card\./ }).lean();
      expect(cards.length).toBeGreaterThan(0);
      for (const card of cards) expect(card.view.title).toContain('[Sample] ');
    }
    // The SLA clocks run: the incidents' and the request's timers are set.
    const timerRefs = (await Timer.find().lean()).map((t) => t.ref);
    for (const number of ['INC0001001', 'INC0001002', 'INC0001003', 'REQ0001001']) expect(timerRefs).toContain(number);
  });

  it('lists the incident acknowledged at once, however late its `created` job runs', async () => {
    const wheelOnly = await createApp({ database, config: buildConfig(), log: silentLogger(), now: clock.now, runDueTimersAtOnce: false });
    await createSamplesIfEmpty(wheelOnly);
    // Its `created` job, later: once its timer's second has settled.
    clock.advanceMinutes(1);
    await wheelOnly.jobs.wheel.tickAll();
    await settle(wheelOnly);
    expect((await wheelOnly.ctx.incidents.queueOf(['messaging'], 0, 10)).records.map((i) => [i._id, i.state])).toEqual([['INC0001001', 'in_progress']]);
  });

  it("speaks the company's language", async () => {
    const korean = await startApp(database, buildConfig((c) => (c.defaults = { locale: 'ko', timeZone: 'Asia/Seoul' })));
    await createSamplesIfEmpty(korean);
    await settle(korean);
    const titles = [
      ...(await database.models.Incident.find().lean()),
      ...(await database.models.ServiceRequest.find().lean()),
      ...(await database.models.Change.find().lean()),
    ].map((r) => r.title);
    expect(titles).toHaveLength(5);
    for (const title of titles) expect(title.startsWith('[샘플] ')).toBe(true);
  });

  it('makes none on a database that holds a real incident', async () => {
    await run(app, INCIDENT_IDS.report, await buildActor(app, JAMIE), reportInput());
    await settle(app);
    expect(await createSamplesIfEmpty(app)).toEqual({ created: [] });
    expect(await database.models.Incident.countDocuments()).toBe(1);
    // Said once: no later start looks again.
    expect((await database.models.RecordKey.findById('samples:created').lean())?.recordId).toBe('none: the database held tickets');
    await database.models.Incident.deleteMany({});
    expect(await createSamplesIfEmpty(app)).toEqual({ created: [] });
  });

  it('removes exactly the samples and what refers to them; every other record and its audit chain stays whole', async () => {
    // A platform that takes every message, so that deliveries leave their attempts.
    let posted = 0;
    app.jobs.notifier.register({ platform: 'slack', deliver: async () => ({ kind: 'delivered', location: { channel: 'C1', messageId: `${++posted}.0` } }), wasDelivered: async () => false });
    const { created } = await createSamplesIfEmpty(app);
    await settle(app);
    // Someone tries the samples: approves the request, acknowledges an incident.
    await run(app, REQUEST_IDS.approve, await buildActor(app, ROBIN), { recordId: 'REQ0001001' });
    await run(app, INCIDENT_IDS.ack, await buildActor(app, MINJI), { recordId: 'INC0001002' });
    // Real work, after the samples.
    const realIncident = cardOf(await run(app, INCIDENT_IDS.report, await buildActor(app, JAMIE), reportInput())).recordId as string;
    await settle(app); // its `created` job lists it, as it would before anyone clicked
    await run(app, INCIDENT_IDS.ack, await buildActor(app, MINJI), { recordId: realIncident });
    const realRequest = cardOf(await run(app, REQUEST_IDS.submit, await buildActor(app, JAMIE), { item: 'software', answers: { product: 'Figma' } })).recordId as string;
    // Where the platforms put their cards (as the deliverers record it).
    const at = clock.now();
    await database.models.CardLocation.insertMany([
      { _id: 'INC0001001:slack', recordId: 'INC0001001', platform: 'slack', channel: 'C0MESSAGING', messageId: '1.1', at },
      { _id: 'REQ0001001:slack:person:email:jamie.song@example.com', recordId: 'REQ0001001', platform: 'slack', channel: 'D1', messageId: '1.2', at },
      { _id: `${realIncident}:slack`, recordId: realIncident, platform: 'slack', channel: 'C0SERVICEDESK', messageId: '1.3', at },
    ]);
    const webMessage = (recordId: string) => ({ _id: `service:vpn|${recordId}`, conversation: 'service:vpn', recordId, kind: 'card', view: { kind: 'card', title: recordId, fields: [], actions: [] }, postedAt: at, at });
    await database.models.WebMessage.collection.insertMany([webMessage('INC0001002'), webMessage(realIncident)] as never[]);
    // Twenty minutes on: the wheel has read the first timers (the next escalation steps paged).
    clock.advanceMinutes(20);
    await app.jobs.wheel.tickAll();
    await settle(app);

    const samples = new Set(created);
    expect(samples.size).toBe(5);
    const before = await contentsOf(database.models);
    const cursors = new Map([...(before.get('timer_cursors')?.values() ?? [])].map((c) => [c._id, Number(c.bucket)]));
    const sampleNotifications = new Set([...(before.get('notifications')?.values() ?? [])].filter((n) => samples.has(String(n.recordId))).map((n) => n._id));
    const ownRef = (ref: string) => ref.split('\n').every((line) => samples.has(line.split(/[:#]/)[0] ?? ''));
    const readTimer = (t: Doc) => Number(t._id.split(':')[1]) <= (cursors.get(`cursor:${t._id.split(':')[0]}`) ?? -1);
    // What goes, collection by collection; everything else stays.
    const goes: Record<string, (d: Doc) => boolean> = {
      incidents: (d) => samples.has(d._id),
      service_requests: (d) => samples.has(d._id),
      changes: (d) => samples.has(d._id),
      audit_events: (d) => samples.has(String(d.recordId)),
      notifications: (d) => samples.has(String(d.recordId)),
      notification_attempts: (d) => sampleNotifications.has(String(d.notificationId)),
      card_locations: (d) => samples.has(String(d.recordId)),
      web_messages: (d) => samples.has(String(d.recordId)),
      approval_votes: (d) => samples.has(String(d.recordId)),
      record_keys: (d) => samples.has(String(d.recordId)),
      timers: (d) => ownRef(String(d.ref)) && readTimer(d),
      timer_index: (d) => d._id.startsWith('once:') && samples.has(d._id.split(':')[2]?.split('#')[0] ?? ''),
    };
    for (const [collection, going] of Object.entries(goes)) {
      if (collection === 'timers' || collection === 'timer_index') continue;
      // Each kind of trace is there to be removed (else this test would prove nothing of it).
      expect([collection, [...(before.get(collection)?.values() ?? [])].some(going)]).toEqual([collection, true]);
    }
    expect([...(before.get('timers')?.values() ?? [])].some((t) => ownRef(String(t.ref)) && readTimer(t))).toBe(true);
    expect([...(before.get('record_list_entries')?.values() ?? [])].some((e) => samples.has(String(e.recordId)))).toBe(true);

    expect(await removeSamples(database.models)).toEqual({ removed: 5 });
    await settle(app);

    const after = await contentsOf(database.models);
    for (const [collection, docs] of before) {
      const going = goes[collection] ?? (() => false);
      const kept = [...docs.values()].filter((d) => !going(d)).map((d) => d._id).sort();
      const added = idsIn(after, collection).filter((id) => !docs.has(id));
      if (collection === 'record_keys') expect(added).toEqual(['samples:removed']);
      else if (collection === 'record_list_entries') for (const id of added) expect(after.get(collection)?.get(id)).toMatchObject({ gone: true });
      else if (collection !== 'record_lists') expect([collection, added]).toEqual([collection, []]);
      if (collection === 'record_lists') continue; // snapshots are rewritten by folds: read below
      expect([collection, idsIn(after, collection).filter((id) => !added.includes(id))]).toEqual([collection, kept]);
    }
    // The real records and their audit trail, untouched.
    for (const collection of ['incidents', 'service_requests', 'audit_events']) {
      for (const [id, doc] of before.get(collection) ?? []) if (!goes[collection]?.(doc)) expect(after.get(collection)?.get(id)).toEqual(doc);
    }
    expect(await chainProblems(database.models)).toEqual([]);
    // No list holds a sample any more; the real ones still are where they were.
    const lists = new RecordLists(database.models, () => new Date());
    const members = new Map<string, string[]>();
    for (const list of idsIn(after, 'record_lists')) members.set(list, (await lists.members(list)).map((m) => m.recordId));
    expect([...members.values()].flat().filter((id) => samples.has(id))).toEqual([]);
    expect(members.get('incident.requester:email:jamie.song@example.com')).toEqual([realIncident]);
    expect(members.get('request.open')).toEqual([realRequest]);
    // The numbers shown on the samples' cards are never handed out again.
    expect((await database.models.Counter.findById('INC').lean())?.seq).toBeGreaterThanOrEqual(1003);
    expect((await database.models.Counter.findById('REQ').lean())?.seq).toBeGreaterThanOrEqual(1001);
    expect((await database.models.Counter.findById('CHG').lean())?.seq).toBeGreaterThanOrEqual(1001);

    // The samples' timers still ahead wake to nothing: no record, notification or audit event comes back.
    clock.advanceMinutes(3 * 24 * 60);
    await app.jobs.wheel.tickAll();
    await settle(app);
    const later = await contentsOf(database.models);
    for (const collection of ['incidents', 'service_requests', 'changes', 'audit_events', 'notifications', 'approval_votes', 'card_locations', 'record_keys']) {
      const traces = [...(later.get(collection)?.values() ?? [])].filter((d) => samples.has(d._id) || samples.has(String(d.recordId)));
      expect([collection, traces.map((d) => d._id)]).toEqual([collection, []]);
    }
  });

  it('makes none again once they were removed, even were the claim of the first set lost', async () => {
    await createSamplesIfEmpty(app);
    await settle(app);
    await removeSamples(database.models);
    expect([await database.models.Incident.countDocuments(), await database.models.ServiceRequest.countDocuments(), await database.models.Change.countDocuments()]).toEqual([0, 0, 0]);

    expect(await createSamplesIfEmpty(await startApp(database))).toEqual({ created: [] });
    await database.models.RecordKey.deleteOne({ _id: 'samples:created' });
    expect(await createSamplesIfEmpty(await startApp(database))).toEqual({ created: [] });
    expect(await database.models.Incident.countDocuments()).toBe(0);
  });

  it('removes nothing but remembers it, on a database that never had samples', async () => {
    expect(await removeSamples(database.models)).toEqual({ removed: 0 });
    expect(await createSamplesIfEmpty(app)).toEqual({ created: [] });
  });

  it('leaves out a sample whose catalog item or configuration item the configuration lacks', async () => {
    const withoutThem = buildConfig((c) => {
      c.catalog = (c.catalog ?? []).filter((item) => item.key !== 'laptop');
      c.configurationItems = (c.configurationItems ?? []).filter((ci) => ci.key !== 'mail-gateway');
    });
    const own = await startApp(database, withoutThem);
    const { created } = await createSamplesIfEmpty(own);
    await settle(own);
    expect(created.sort()).toEqual(['INC0001001', 'INC0001002', 'INC0001003']);
    expect([await database.models.ServiceRequest.countDocuments(), await database.models.Change.countDocuments()]).toEqual([0, 0]);
  });
});
