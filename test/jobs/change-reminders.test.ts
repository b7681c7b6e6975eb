import type { App } from '../../src/app';
import type { Database } from '../../src/db/connect';
import { CHANGE_IDS } from '../../src/views/change-actions';
import { ALEX, TestClock, buildActor, buildApp, buildConfig, cardOf, run } from '../support/factories';
import { RecordingDeliverer, runClockUntil, type PostedNotification } from '../support/job-clock';
import { dropTestDatabase, openTestDatabase } from '../support/test-database';

const standardChange = (start: string, end: string) => ({
  title: 'Rotate the mail certificates',
  type: 'standard',
  risk: 'low',
  service: 'email',
  windowStart: start,
  windowEnd: end,
  plan: 'Install the new certificates.',
  backoutPlan: 'Put the old ones back.',
});

describe("a change's approvers at its rule's deadline, its implementer before its window (timer jobs against the real server)", () => {
  let database: Database;
  let clock: TestClock;
  let app: App;
  let posted: PostedNotification[];

  beforeEach(async () => {
    database = await openTestDatabase('change_reminders');
    clock = new TestClock(new Date('2026-12-01T01:00:00Z'));
    app = await buildApp(database, clock);
    posted = [];
    app.jobs.notifier.register(new RecordingDeliverer(posted, clock.now));
  });
  afterEach(() => dropTestDatabase(database));

  const reminders = () => posted.filter((n) => n.reason === 'change.window');

  it('an hour before the window, once, to its requester', async () => {
    const answer = await run(app, CHANGE_IDS.submit, await buildActor(app, ALEX), standardChange('2026-12-01T04:00:00Z', '2026-12-01T05:00:00Z'));
    const number = cardOf(answer).recordId as string;
    await runClockUntil(app, clock, '2026-12-01T02:55:00Z', 5);
    expect(reminders()).toEqual([]);
    await runClockUntil(app, clock, '2026-12-01T03:10:00Z', 1);
    expect(reminders().map((n) => [n.audience, n.view.text?.split('\n')[0]])).toEqual([
      [{ kind: 'person', personId: `email:${ALEX}` }, expect.stringContaining(`${number} (Rotate the mail certificates) starts at`)],
    ]);
    await runClockUntil(app, clock, '2026-12-01T06:00:00Z', 30);
    expect(reminders().length).toBe(1);
  });

  it('not for a change started (or cancelled) before then', async () => {
    const alex = await buildActor(app, ALEX);
    const started = cardOf(await run(app, CHANGE_IDS.submit, alex, standardChange('2026-12-01T04:00:00Z', '2026-12-01T05:00:00Z'))).recordId as string;
    const cancelled = cardOf(await run(app, CHANGE_IDS.submit, alex, standardChange('2026-12-01T04:30:00Z', '2026-12-01T05:00:00Z'))).recordId as string;
    await run(app, CHANGE_IDS.start, alex, { recordId: started });
    await run(app, CHANGE_IDS.cancel, alex, { recordId: cancelled });
    await runClockUntil(app, clock, '2026-12-01T05:00:00Z', 15);
    expect(reminders()).toEqual([]);
  });

  it("reminds an emergency change's undecided CAB members at its rule's 30 minutes, once, and nobody for one decided in time", async () => {
    const alex = await buildActor(app, ALEX);
    const emergency = { ...standardChange('2026-12-01T02:00:00Z', '2026-12-01T03:00:00Z'), type: 'emergency' };
    const waiting = cardOf(await run(app, CHANGE_IDS.submit, alex, emergency)).recordId as string;
    const decided = cardOf(await run(app, CHANGE_IDS.submit, alex, { ...emergency, title: 'Decided in time' })).recordId as string;
    await run(app, CHANGE_IDS.approve, await buildActor(app, 'robin.han@example.com'), { recordId: decided });
    await runClockUntil(app, clock, '2026-12-01T01:25:00Z', 5);
    expect(posted.filter((n) => n.reason === 'change.remind.0')).toEqual([]);
    await runClockUntil(app, clock, '2026-12-01T02:30:00Z', 5);
    const reminded = posted.filter((n) => n.reason === 'change.remind.0');
    expect(reminded.map((n) => [n.recordId, n.audience.kind === 'person' ? n.audience.personId : ''])).toEqual(
      expect.arrayContaining([
        [waiting, 'email:jordan.choi@example.com'],
        [waiting, 'email:robin.han@example.com'],
      ]),
    );
    expect(reminded.length).toBe(2);
  });

  it("asks the rule's escalation person too a second deadline later, once, when the step is still undecided", async () => {
    // The example's emergency rule escalates to Jordan, who is on the CAB already: this one names Casey.
    const config = buildConfig((c) => {
      for (const rule of c.changeApproval ?? []) if (rule.type === 'emergency') rule.escalateTo = 'casey.lim@example.com';
    });
    app = await buildApp(database, clock, config);
    app.jobs.notifier.register(new RecordingDeliverer(posted, clock.now));
    const alex = await buildActor(app, ALEX);
    const emergency = { ...standardChange('2026-12-01T03:00:00Z', '2026-12-01T04:00:00Z'), type: 'emergency' };
    const waiting = cardOf(await run(app, CHANGE_IDS.submit, alex, emergency)).recordId as string;
    await runClockUntil(app, clock, '2026-12-01T01:55:00Z', 5);
    expect((await app.ctx.changes.findById(waiting))?.steps[0]?.approvers.map((a) => a.name)).toEqual(['Jordan Choi', 'Robin Han']);
    await runClockUntil(app, clock, '2026-12-01T02:10:00Z', 5);
    const escalated = await app.ctx.changes.findById(waiting);
    expect(escalated?.steps[0]?.approvers.map((a) => a.name)).toEqual(['Jordan Choi', 'Robin Han', 'Casey Lim']);
    expect(escalated?.steps[0]?.escalatedTo).toBe('Casey Lim');
    const caseyCards = posted.filter((n) => n.recordId === waiting && 'personId' in n.audience && n.audience.personId === 'email:casey.lim@example.com');
    expect(caseyCards.map((n) => n.view.actions.map((a) => a.actionId))).toEqual([[CHANGE_IDS.approve, CHANGE_IDS.rejectForm]]);
    await runClockUntil(app, clock, '2026-12-01T03:00:00Z', 10);
    expect(await database.models.AuditEvent.countDocuments({ recordId: waiting, action: 'escalate' })).toBe(1);
    // Casey decides it.
    await run(app, CHANGE_IDS.approve, await buildActor(app, 'casey.lim@example.com'), { recordId: waiting });
    expect((await app.ctx.changes.findById(waiting))?.state).toBe('scheduled');
  });
});
