import type { App } from '../../src/app';
import type { Database } from '../../src/db/connect';
import type { ServiceRequestDoc } from '../../src/models/service-request.model';
import { REQUEST_IDS } from '../../src/views/request-actions';
import { JAMIE, TestClock, buildActor, buildApp, cardOf, run } from '../support/factories';
import { RecordingDeliverer, runClockUntil, type PostedNotification } from '../support/job-clock';
import { restoreRequestTimers } from '../../jobs/requests/restore-request-timers';
import { dropTestDatabase, openTestDatabase } from '../support/test-database';

const ROBIN = 'email:robin.han@example.com';
const CASEY = 'email:casey.lim@example.com';
const LAPTOP = { item: 'laptop', answers: { model: 'MacBook Pro 14', cost: '1,800,000', reason: 'Mine no longer boots.' } };

describe('request approval routing (timer jobs and the outbox, against the real server)', () => {
  let database: Database;
  let clock: TestClock;
  let apps: App[];
  let posted: PostedNotification[];

  beforeEach(async () => {
    database = await openTestDatabase('request_routing');
    clock = new TestClock(new Date('2026-12-01T01:00:00Z'));
    posted = [];
    // Two processes on one database, one platform.
    apps = [await buildApp(database, clock), await buildApp(database, clock)];
    for (const app of apps) app.jobs.notifier.register(new RecordingDeliverer(posted, clock.now));
  });
  afterEach(() => dropTestDatabase(database));

  /** Jamie asks in one process; the answer's announcements go out as the adapters send them. */
  async function requestLaptop(app: App): Promise<ServiceRequestDoc> {
    const answer = await run(app, REQUEST_IDS.submit, await buildActor(app, JAMIE), LAPTOP);
    await app.jobs.notifier.announce(answer.announcements);
    return (await app.ctx.requests.findById(cardOf(answer).recordId as string)) as ServiceRequestDoc;
  }
  const to = (personId: string, reason: string) => posted.filter((n) => (n.audience.kind === 'person' || n.audience.kind === 'person-card') && ('personId' in n.audience ? n.audience.personId === personId : false) && n.reason.startsWith(reason));

  it('reminds the undecided approver at the deadline, then asks the escalation person, each once, with two processes ticking', async () => {
    const request = await requestLaptop(apps[0]!);
    await runClockUntil(apps, clock, '2026-12-01T01:05:00Z');
    expect(to(ROBIN, 'card.').length).toBe(1); // the card asking for the approval
    expect(to(ROBIN, 'request.remind')).toEqual([]);

    // A day later (the laptop's deadline), Robin is reminded once.
    await runClockUntil(apps, clock, '2026-12-02T01:05:00Z', 60);
    expect(to(ROBIN, 'request.remind.0').map((n) => n.view.text)).toEqual([`${request.number} (New laptop) for Jamie Song still waits on your approval.`]);
    expect(to(CASEY, 'card.')).toEqual([]);

    // Another day: Casey (the item's escalation) becomes an approver of the step and gets its card.
    await runClockUntil(apps, clock, '2026-12-03T01:05:00Z', 60);
    const escalated = (await apps[0]!.ctx.requests.findById(request._id)) as ServiceRequestDoc;
    expect(escalated.steps[0]?.approvers.map((a) => a.name)).toEqual(['Robin Han', 'Casey Lim']);
    expect(escalated.steps[0]?.escalatedTo).toBe('Casey Lim');
    expect(to(CASEY, 'card.').map((n) => n.view.actions.map((a) => a.actionId))).toEqual([[REQUEST_IDS.approve, REQUEST_IDS.rejectForm]]);
    const audit = await database.models.AuditEvent.find({ recordId: request._id, action: 'escalate' }).lean();
    expect(audit.length).toBe(1);

    // Casey decides it; nothing more is sent to anyone for the deadlines.
    await run(apps[1]!, REQUEST_IDS.approve, await buildActor(apps[1]!, 'casey.lim@example.com'), { recordId: request._id });
    await runClockUntil(apps, clock, '2026-12-05T01:05:00Z', 120);
    expect(to(ROBIN, 'request.remind').length).toBe(1);
  });

  it('sends nothing for a step decided before its deadline', async () => {
    const request = await requestLaptop(apps[1]!);
    await run(apps[0]!, REQUEST_IDS.approve, await buildActor(apps[0]!, 'robin.han@example.com'), { recordId: request._id });
    await runClockUntil(apps, clock, '2026-12-03T02:00:00Z', 60);
    expect(to(ROBIN, 'request.remind')).toEqual([]);
    expect(to(CASEY, 'card.')).toEqual([]);
  });

  it('stores and delivers each card once when both processes announce the same change (a retry, a replay)', async () => {
    const request = await requestLaptop(apps[0]!);
    const answer = await run(apps[1]!, REQUEST_IDS.approve, await buildActor(apps[1]!, 'robin.han@example.com'), { recordId: request._id });
    await Promise.all([apps[0]!.jobs.notifier.announce(answer.announcements), apps[1]!.jobs.notifier.announce(answer.announcements)]);
    await runClockUntil(apps, clock, '2026-12-01T01:10:00Z');
    const ids = posted.filter((n) => n.recordId === request._id).map((n) => n._id);
    expect(ids.length).toBe(new Set(ids).size);
    // Robin's card: asked, then approved; Jamie's: submitted, then in fulfilment, and the message that it is approved.
    expect(to(ROBIN, 'card.').length).toBe(2);
    expect(to(`email:${JAMIE}`, 'request.approved').length).toBe(1);
  });

  it("warns those it waits on at 75 % of its fulfilment time on the office calendar, and its requester too at the breach", async () => {
    // The laptop, asked on Tuesday 10:00 in Seoul: 45 working hours, so due the next Tuesday 10:00 (01:00 UTC);
    // 75 % (33 h 45 m) falls on Friday at 16:45 in Seoul.
    const request = await requestLaptop(apps[0]!);
    expect(request.sla.resolutionDueAt).toEqual(new Date('2026-12-08T01:00:00Z'));
    await run(apps[1]!, REQUEST_IDS.approve, await buildActor(apps[1]!, 'robin.han@example.com'), { recordId: request._id });
    const told = (percent: number) => posted.filter((n) => n.reason === `request.sla.resolution.${percent}`).map((n) => (n.audience.kind === 'person' ? n.audience.personId : '')).sort();
    await runClockUntil(apps, clock, '2026-12-04T07:30:00Z', 240);
    expect(told(50)).toEqual(['email:minji.kim@example.com', 'email:sam.lee@example.com']);
    expect(told(75)).toEqual([]);
    await runClockUntil(apps, clock, '2026-12-04T08:00:00Z', 30);
    expect(told(75)).toEqual(['email:minji.kim@example.com', 'email:sam.lee@example.com']);
    // Both read Korean.
    expect(posted.find((n) => n.reason === 'request.sla.resolution.75')?.view.text).toMatch(new RegExp(`^${request.number}\\(New laptop\\): 처리 목표 시간의 75%가 지났습니다`));
    // The weekend is not working time: nothing until Monday.
    await runClockUntil(apps, clock, '2026-12-06T12:00:00Z', 240);
    expect(told(90)).toEqual([]);
    await runClockUntil(apps, clock, '2026-12-08T01:30:00Z', 120);
    expect(told(90).length).toBe(2);
    expect(told(100)).toEqual([`email:${JAMIE}`, 'email:minji.kim@example.com', 'email:sam.lee@example.com']);
    expect(told(75).length).toBe(2);
    expect(posted.find((n) => n.reason === 'request.sla.resolution.100' && n.audience.kind === 'person' && n.audience.personId === `email:${JAMIE}`)?.view.text).toMatch(
      new RegExp(`^${request.number} \\(New laptop\\) missed its fulfilment target`),
    );
    // Approved at once, it never ran late for a response.
    expect(posted.filter((n) => n.reason.startsWith('request.sla.response'))).toEqual([]);
  });

  it('runs the response clock until someone it waits on responds: the undecided approver hears of it, and a vote stops it', async () => {
    // The laptop is P4: a response within one day (24 working hours), so by Thursday 16:00 in Seoul; 50 % on Wednesday at 13:00.
    const request = await requestLaptop(apps[0]!);
    expect(request.priority).toBe('P4');
    expect(request.sla.responseDueAt).toEqual(new Date('2026-12-03T07:00:00Z'));
    const responseTold = () => posted.filter((n) => n.reason.startsWith('request.sla.response')).map((n) => `${n.reason} ${'personId' in n.audience ? n.audience.personId : ''}`);
    await runClockUntil(apps, clock, '2026-12-02T03:50:00Z', 60);
    expect(responseTold()).toEqual([]);
    await runClockUntil(apps, clock, '2026-12-02T04:10:00Z', 10);
    expect(responseTold()).toEqual([`request.sla.response.50 ${ROBIN}`]);
    expect(to(ROBIN, 'request.sla.response.50')[0]?.view.text).toBe(`${request.number} (New laptop): 50% of its response time has passed; due Thu 3 Dec 2026, 16:00 GMT+9.`);
    await run(apps[1]!, REQUEST_IDS.approve, await buildActor(apps[1]!, 'robin.han@example.com'), { recordId: request._id });
    expect((await apps[0]!.ctx.requests.findById(request._id))?.respondedAt).toEqual(clock.now());
    // Past the response breach: nobody else hears of the response clock.
    await runClockUntil(apps, clock, '2026-12-03T09:00:00Z', 60);
    expect(responseTold()).toEqual([`request.sla.response.50 ${ROBIN}`]);
  });

  it('sets again the timers of a request whose timers were lost, and nothing is told twice', async () => {
    // Setting the first request's timers fails (the database refused the write): it is created all the same.
    const app = apps[0]!;
    const schedule = app.jobs.wheel.schedule.bind(app.jobs.wheel);
    app.jobs.wheel.schedule = async () => {
      throw new Error('the database refused the write');
    };
    const answer = await run(app, REQUEST_IDS.submit, await buildActor(app, JAMIE), LAPTOP);
    app.jobs.wheel.schedule = schedule;
    await app.jobs.notifier.announce(answer.announcements);
    const lost = (await app.ctx.requests.findById(cardOf(answer).recordId as string)) as ServiceRequestDoc;
    const kept = await requestLaptop(apps[1]!);
    expect(await app.jobs.requestWatch.timersMissing(lost)).toBe(true);
    expect(await app.jobs.requestWatch.timersMissing(kept)).toBe(false);

    expect(await restoreRequestTimers(app.jobs)).toBe(1);
    // Once an hour for all processes.
    expect(await restoreRequestTimers(apps[1]!.jobs)).toBe(0);
    expect(await app.jobs.requestWatch.timersMissing(lost)).toBe(false);
    // Both reach their approval deadline and their response warning alike, each told once.
    await runClockUntil(apps, clock, '2026-12-02T04:10:00Z', 60);
    const told = (number: string) => posted.filter((n) => n.recordId === number && !n.reason.startsWith('card.')).map((n) => n.reason).sort();
    expect(told(lost._id)).toEqual(['request.remind.0', 'request.sla.response.50']);
    expect(told(kept._id)).toEqual(told(lost._id));
    clock.current = new Date(clock.current.getTime() + 60 * 60_000);
    expect(await restoreRequestTimers(app.jobs)).toBe(0);
  });
});
