import type { App } from '../../src/app';
import type { Database } from '../../src/db/connect';
import { onCallAt } from '../../src/domain/on-call';
import { JAMIE, MINJI, SAM, TAYLOR, ALEX, TestClock, buildActor, buildApp, buildConfig, cardOf, errorOf, recordingLogger, reportInput, run } from '../support/factories';
import { RecordingDeliverer, runClockUntil } from '../support/job-clock';
import { dropTestDatabase, openTestDatabase } from '../support/test-database';

describe('escalation (timer jobs against the real server)', () => {
  let database: Database;
  let clock: TestClock;
  let app: App;
  let slack: RecordingDeliverer;
  let logs: Record<string, unknown>[];

  beforeEach(async () => {
    database = await openTestDatabase('escalation');
    // Monday 23 Nov 2026, 10:00 Seoul.
    clock = new TestClock(new Date('2026-11-23T01:00:00Z'));
    const recording = recordingLogger();
    logs = recording.entries;
    app = await buildApp(database, clock, buildConfig(), recording.log);
    slack = new RecordingDeliverer([], clock.now);
    app.jobs.notifier.register(slack);
  });
  afterEach(() => dropTestDatabase(database));

  const pages = () => slack.posted.filter((n) => n.reason.startsWith('escalation.')).map((n) => `${n.reason} ${(n.audience as { personId: string }).personId}`);

  async function reportP2(): Promise<string> {
    const card = cardOf(await run(app, 'incident.report', await buildActor(app, JAMIE), reportInput({ impact: 'high', urgency: 'medium' })));
    return card.recordId as string;
  }

  it('pages the on-call, then the group, then the next level, until someone acknowledges', async () => {
    // The new incident's watch and its first step's pages read it once between them.
    const reads = jest.spyOn(app.ctx.incidents, 'findById');
    const number = await reportP2();
    await app.jobs.wheel.idle();
    expect(reads).toHaveBeenCalledTimes(1);
    reads.mockRestore();
    const onCall = onCallAt(app.ctx.catalog.onCallSchedules.get('desk-rota')!, clock.now()).person;
    await runClockUntil(app, clock, '2026-11-23T01:01:00Z');
    expect(pages()).toEqual([`escalation.0 email:${onCall}`]);
    const page = slack.posted[0]!;
    expect(page.view.actions.map((a) => a.actionId)).toEqual(['incident.ack', 'incident.decline_page']);
    expect(page.view.actions[1]!.value).toBe('0');

    await runClockUntil(app, clock, '2026-11-23T01:14:00Z');
    expect(pages()).toHaveLength(1);
    await runClockUntil(app, clock, '2026-11-23T01:17:00Z'); // level 2 after 15 min: the service desk group
    expect(pages().slice(1).sort()).toEqual([`escalation.1 email:${MINJI}`, `escalation.1 email:${SAM}`]);

    // Sam acknowledges from the page: nobody else is paged, ever.
    await run(app, 'incident.ack', await buildActor(app, SAM), { recordId: number });
    await runClockUntil(app, clock, '2026-11-23T04:00:00Z', 5);
    expect(pages()).toHaveLength(3);
    expect(pages().some((p) => p.endsWith(TAYLOR))).toBe(false);
  });

  it('repeats the policy as configured and then stops, logging that nobody answered', async () => {
    const number = await reportP2();
    const exhausted = () => logs.filter((l) => l.msg === 'escalation policy exhausted and the incident is still not acknowledged');
    // The ninth step is paged about 04:25 (the steps fire on the clock's ticks, a little late each);
    // the step after it, 30 minutes later, finds the policy exhausted.
    await runClockUntil(app, clock, '2026-11-23T05:15:00Z', 2);
    // desk-standard: 3 levels, repeated twice more = 9 steps, the last one paging Taylor.
    const steps = new Set(pages().map((p) => p.split(' ')[0]));
    expect([...steps]).toEqual(['escalation.0', 'escalation.1', 'escalation.2', 'escalation.3', 'escalation.4', 'escalation.5', 'escalation.6', 'escalation.7', 'escalation.8']);
    expect(pages().filter((p) => p.endsWith(TAYLOR))).toHaveLength(3);
    expect(pages()).toHaveLength(3 * (1 + 2 + 1)); // each cycle: the on-call, the two of the service desk, Taylor
    expect(exhausted()).toEqual([expect.objectContaining({ level: 40, number, steps: 9 })]);
    // Each step set the next one's timer once (steps 1 to 9; step 0 ran from the incident's creation).
    expect(await database.models.Timer.countDocuments({ kind: 'incident.escalation' })).toBe(9);

    // And then it stops: nothing more is paged or logged (a further step would have come 30 minutes on).
    await runClockUntil(app, clock, '2026-11-23T06:00:00Z', 2);
    expect(pages()).toHaveLength(12);
    expect(exhausted()).toHaveLength(1);
  });

  it("'I can't take it' pages the next level at once; someone outside it is refused and the refusal audited", async () => {
    const number = await reportP2();
    await runClockUntil(app, clock, '2026-11-23T01:01:00Z');
    const onCall = onCallAt(app.ctx.catalog.onCallSchedules.get('desk-rota')!, clock.now()).person;

    const outsider = await run(app, 'incident.decline_page', await buildActor(app, ALEX), { recordId: number, step: '0' });
    expect(errorOf(outsider).text).toMatch(/not allowed/);
    const declined = await run(app, 'incident.decline_page', await buildActor(app, onCall), { recordId: number, step: '0' });
    expect(declined.views[0]).toMatchObject({ kind: 'notice', tone: 'info' });
    await runClockUntil(app, clock, '2026-11-23T01:02:00Z');
    expect(pages().filter((p) => p.startsWith('escalation.1'))).toHaveLength(2);

    // The timer that would have paged level 2 after 15 minutes finds the step done.
    await runClockUntil(app, clock, '2026-11-23T01:20:00Z');
    expect(pages().filter((p) => p.startsWith('escalation.1'))).toHaveLength(2);
    expect(pages().filter((p) => p.startsWith('escalation.2'))).toHaveLength(0);
    const events = await database.models.AuditEvent.find({ recordId: number, seq: 0 }).lean();
    expect(events.map((e) => e.action).sort()).toEqual(['escalation.decline', 'escalation.decline.refused']);
  });

  it('refuses to pass on a page once the incident is acknowledged', async () => {
    const number = await reportP2();
    await run(app, 'incident.ack', await buildActor(app, MINJI), { recordId: number });
    const late = await run(app, 'incident.decline_page', await buildActor(app, MINJI), { recordId: number, step: '0' });
    expect(errorOf(late).text).toBe(`${number}은(는) 이미 확인되었거나 종료되어 진행 중인 호출이 없습니다.`); // Minji reads Korean
  });
});

describe('/oncall', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase('oncall');
  });
  afterAll(() => dropTestDatabase(database));

  it('hands the messaging rota over at 09:00 Seoul and shows times in the reader\'s zone', async () => {
    // 2026-11-25 is an even day of the daily messaging rota (Alex); the 24th was Sam's.
    const clock = new TestClock(new Date('2026-11-24T23:59:00Z'));
    const app = await buildApp(database, clock);
    const before = await run(app, 'oncall.show', await buildActor(app, TAYLOR), { group: 'messaging' });
    const list = before.views[0] as { items: { fields: { value: string }[] }[] };
    expect(list.items[0]!.fields[0]!.value).toMatch(/^now Sam Lee \(until .*19:00/); // 09:00 Seoul is 19:00 in New York
    expect(list.items[0]!.fields[1]!.value).toMatch(/^next Alex Park/);
    clock.set('2026-11-25T00:00:00Z');
    const after = await run(app, 'oncall.show', await buildActor(app, TAYLOR), { group: 'messaging' });
    expect((after.views[0] as typeof list).items[0]!.fields[0]!.value).toMatch(/^now Alex Park/);
    const unknown = await run(app, 'oncall.show', await buildActor(app, TAYLOR), { group: 'nope' });
    expect(errorOf(unknown).text).toBe('There is no group "nope".');
  });
});
