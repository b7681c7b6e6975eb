import type { App } from '../../src/app';
import type { Database } from '../../src/db/connect';
import type { IncidentDoc } from '../../src/models/incident.model';
import { MINJI, JAMIE, SAM, TestClock, buildActor, buildApp, cardOf, reportInput, run } from '../support/factories';
import { restoreIncidentTimers } from '../../jobs/sla/restore-incident-timers';
import { RecordingDeliverer, runClockUntil } from '../support/job-clock';
import { dropTestDatabase, openTestDatabase } from '../support/test-database';

const minji = `email:${MINJI}`;
const sam = `email:${SAM}`;

describe('SLA warnings and breaches (timer jobs against the real server)', () => {
  let database: Database;
  let clock: TestClock;
  let app: App;
  let slack: RecordingDeliverer;

  beforeEach(async () => {
    database = await openTestDatabase('sla');
  });
  afterEach(() => dropTestDatabase(database));

  /** Starts opsdesk at `iso` (the wheel's cursors start at the present). */
  async function startAt(iso: string): Promise<void> {
    clock = new TestClock(new Date(iso));
    app = await buildApp(database, clock);
    slack = new RecordingDeliverer([], clock.now);
    app.jobs.notifier.register(slack);
  }

  async function report(input: Record<string, unknown>, acknowledge = true): Promise<IncidentDoc> {
    const card = cardOf(await run(app, 'incident.report', await buildActor(app, JAMIE), reportInput(input)));
    const number = card.recordId as string;
    if (acknowledge) cardOf(await run(app, 'incident.ack', await buildActor(app, MINJI), { recordId: number }));
    return (await app.ctx.incidents.findById(number)) as IncidentDoc;
  }

  const threadReasons = () => slack.reasonsFor('thread');
  const deliveredAt = (reason: string) => slack.posted.find((n) => n.reason === reason && n.audience.kind === 'thread')?.deliveredAt;

  it('after the scheduler stalled past several milestones: one line per incident, the breach first, naming the warnings that were never sent', async () => {
    await startAt('2026-11-23T01:00:00Z');
    // P1, around the clock: resolution due in 2 h; 50 % at 1 h, 75 % at 1.5 h, 90 % at 1 h 48.
    const incident = await report({ impact: 'high', urgency: 'high' });
    await runClockUntil(app, clock, '2026-11-23T01:30:00Z', 5);
    expect(threadReasons()).toEqual([]);
    // Nothing runs for two and a half hours (every process stalled), then the wheel catches up.
    clock.current = new Date('2026-11-23T04:00:00Z');
    await runClockUntil(app, clock, '2026-11-23T04:05:00Z');
    expect(threadReasons()).toEqual(['sla.resolution.100']);
    const line = slack.posted.find((n) => n.audience.kind === 'thread')!;
    expect(line.view.text).toBe(`${incident.number} missed its resolution target (Mon 23 Nov 2026, 12:00 GMT+9). Passed earlier without a word in time: 50%, 75%, 90%.`);
    // (Minji, on call, may also have been paged at once, before she acknowledged.)
    expect(slack.reasonsFor(minji).filter((r) => r.startsWith('sla.'))).toEqual(['sla.resolution.100']);
  });

  it('warns at 50/75/90 % and at the breach in business time, across a holiday and a weekend, once each', async () => {
    // Thursday 24 Dec 16:00 Seoul, P2 (8 business hours): 2 h left that day; the 25th is a holiday.
    await startAt('2026-12-24T07:00:00Z');
    await report({ impact: 'high', urgency: 'medium' });
    await runClockUntil(app, clock, '2026-12-28T01:55:00Z', 60);
    expect(threadReasons()).toEqual([]);

    await runClockUntil(app, clock, '2026-12-28T02:02:00Z');
    expect(threadReasons()).toEqual(['sla.resolution.50']);
    expect(deliveredAt('sla.resolution.50')!.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-12-28T02:00:00Z'));

    await runClockUntil(app, clock, '2026-12-28T07:00:00Z');
    expect(threadReasons()).toEqual(['sla.resolution.50', 'sla.resolution.75', 'sla.resolution.90', 'sla.resolution.100']);
    expect(deliveredAt('sla.resolution.75')!.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-12-28T04:00:00Z'));
    expect(deliveredAt('sla.resolution.90')!.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-12-28T05:12:00Z'));
    expect(deliveredAt('sla.resolution.100')!.getTime()).toBeLessThan(Date.parse('2026-12-28T06:02:00Z'));
    // The assignee hears every milestone; the on-call (Sam, that week) the last warning and the breach.
    // (Minji, on call when it was reported, was paged at once, before she acknowledged.)
    expect(slack.reasonsFor(minji).filter((r) => r.startsWith('sla.'))).toEqual(['sla.resolution.50', 'sla.resolution.75', 'sla.resolution.90', 'sla.resolution.100']);
    expect(slack.reasonsFor(sam)).toEqual(['sla.resolution.90', 'sla.resolution.100']);

    // A restart (a new process on the same database) and more time change nothing.
    const restarted = await buildApp(database, clock);
    const after = new RecordingDeliverer(slack.posted, clock.now);
    restarted.jobs.notifier.register(after);
    await runClockUntil(restarted, clock, '2026-12-29T07:00:00Z', 30);
    expect(after.attempts).toBe(0);
    const stored = await database.models.Notification.find().lean();
    expect(stored).toHaveLength(slack.posted.length);
    for (const n of stored) expect((await restarted.jobs.notifier.status(n._id)).state).toBe('delivered');
  }, 120_000); // five business days stepped through the real scheduler: about 25 s on a quiet machine

  it('an incident whose timers were lost is watched again by the restorer, and nothing is announced twice', async () => {
    // Monday 10:00 Seoul, P2: 8 business hours to resolve, the first warning at 50 % (14:00).
    await startAt('2026-11-23T01:00:00Z');
    // Setting the first incident's timers fails (the database refused the write): it is created
    // all the same, the failure only logged.
    const schedule = app.jobs.wheel.schedule.bind(app.jobs.wheel);
    app.jobs.wheel.schedule = async () => {
      throw new Error('the database refused the write');
    };
    const lost = await report({ impact: 'high', urgency: 'medium' }, false);
    app.jobs.wheel.schedule = schedule;
    const kept = await report({ impact: 'high', urgency: 'medium' }, false);
    await runClockUntil(app, clock, '2026-11-23T01:05:00Z');
    expect(await app.jobs.watch.timersMissing(kept)).toBe(false);
    expect(await app.jobs.watch.timersMissing(lost)).toBe(true);

    expect(await restoreIncidentTimers(app.jobs)).toBe(1);
    await runClockUntil(app, clock, '2026-11-23T05:05:00Z');
    // Both were paged and warned alike (the restored one a few minutes late for its first page).
    const told = (number: string) => [...new Set(slack.posted.filter((n) => n.recordId === number).map((n) => n.reason))].sort();
    expect(told(lost._id)).toEqual(told(kept._id));
    expect(told(lost._id)).toEqual(expect.arrayContaining(['escalation.0', 'sla.response.50']));
    expect(new Set(slack.posted.map((n) => n._id)).size).toBe(slack.posted.length);
    // Once an hour for all processes; the next hour finds nothing missing, nothing repeats.
    expect(await restoreIncidentTimers(app.jobs)).toBe(0);
    clock.current = new Date(clock.current.getTime() + 60 * 60_000);
    expect(await restoreIncidentTimers(app.jobs)).toBe(0);
  });

  it('stops the clock while on hold and counts only the time before and after', async () => {
    await startAt('2026-11-23T00:00:00Z'); // Monday 09:00 Seoul
    const incident = await report({ impact: 'high', urgency: 'medium' });
    clock.set('2026-11-23T01:00:00Z'); // 1 h of 8 used
    await run(app, 'incident.hold', await buildActor(app, MINJI), { recordId: incident._id, reason: 'awaiting_vendor' });
    await runClockUntil(app, clock, '2026-11-25T00:00:00Z', 60);
    expect(threadReasons()).toEqual([]);

    await run(app, 'incident.resume', await buildActor(app, MINJI), { recordId: incident._id }); // Wednesday 09:00 Seoul
    await runClockUntil(app, clock, '2026-11-25T02:58:00Z', 5);
    expect(threadReasons()).toEqual([]);
    await runClockUntil(app, clock, '2026-11-25T03:02:00Z'); // 3 more business hours: 50 %
    expect(threadReasons()).toEqual(['sla.resolution.50']);
  });

  it('after a priority rise announces only where the record now stands, and a P1 goes to the major-incident channel', async () => {
    await startAt('2026-11-23T00:00:00Z');
    const incident = await report({ impact: 'medium', urgency: 'medium' }); // P3
    await runClockUntil(app, clock, '2026-11-23T03:00:00Z', 30);
    expect(threadReasons()).toEqual([]);

    // Now P1: 2 h around the clock, counted from the report, so already missed.
    await run(app, 'incident.priority', await buildActor(app, MINJI), { recordId: incident._id, impact: 'high', urgency: 'high' });
    await runClockUntil(app, clock, '2026-11-23T03:02:00Z');
    expect(threadReasons()).toEqual(['sla.resolution.100']);
    expect(slack.reasonsFor('major-incident')).toEqual(['major-incident']);
  });

  it('warns about the response clock until someone acknowledges', async () => {
    await startAt('2026-11-23T00:00:00Z');
    const incident = await report({ impact: 'high', urgency: 'medium' }, false); // respond within 30 min
    await runClockUntil(app, clock, '2026-11-23T00:16:00Z');
    expect(threadReasons()).toContain('sla.response.50');
    await run(app, 'incident.ack', await buildActor(app, MINJI), { recordId: incident._id });
    await runClockUntil(app, clock, '2026-11-23T01:00:00Z');
    expect(threadReasons().filter((r) => r.startsWith('sla.response'))).toEqual(['sla.response.50']);
  });
});
