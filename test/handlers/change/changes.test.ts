import type { App } from '../../../src/app';
import type { Database } from '../../../src/db/connect';
import type { ChangeDoc } from '../../../src/models/change.model';
import type { Actor } from '../../../src/people/people-directory';
import { CHANGE_IDS } from '../../../src/views/change-actions';
import type { CardView, NoticeView } from '../../../src/views/view-model';
import { ALEX, JAMIE, TestClock, buildActor, buildApp, cardOf, errorOf, run } from '../../support/factories';
import { commandsDuring, dropTestDatabase, openTestDatabase } from '../../support/test-database';

const JORDAN = 'jordan.choi@example.com'; // change manager and approver; a CAB member
const ROBIN = 'robin.han@example.com'; // approver; a CAB member

const rfc = (overrides: Record<string, unknown> = {}) => ({
  title: 'Patch the Exchange server',
  type: 'normal',
  risk: 'low',
  service: 'email',
  configurationItem: 'exchange-01',
  windowStart: '2026-12-05T22:00:00+09:00',
  windowEnd: '2026-12-05T23:30:00+09:00',
  plan: 'Install the cumulative update, reboot.',
  backoutPlan: 'Uninstall the update.',
  ...overrides,
});

describe('changes (RFCs) and their approvals (against the MongoDB-compatible server)', () => {
  let database: Database;
  let app: App;
  const clock = new TestClock(new Date('2026-12-01T10:00:00+09:00'));
  beforeAll(async () => {
    database = await openTestDatabase('changes', { monitorCommands: true });
    app = await buildApp(database, clock);
  });
  afterAll(() => dropTestDatabase(database));

  const actor = (email: string): Promise<Actor> => buildActor(app, email);
  const submit = async (email: string, input: Record<string, unknown>) => {
    const answer = await run(app, CHANGE_IDS.submit, await actor(email), input);
    const change = (await app.ctx.changes.findById(cardOf(answer).recordId as string)) as ChangeDoc;
    return { answer, change };
  };
  const current = async (change: ChangeDoc) => (await app.ctx.changes.findById(change._id)) as ChangeDoc;
  const approve = async (email: string, change: ChangeDoc) => run(app, CHANGE_IDS.approve, await actor(email), { recordId: change._id });
  const noticeOf = (answer: { views: unknown[] }) => (answer.views as NoticeView[]).find((v) => v.kind === 'notice')?.text ?? '';
  const cardTo = (answer: { announcements: { audience: { kind: string; personId?: string }; view: CardView }[] }, email: string) =>
    answer.announcements.find((a) => a.audience.kind === 'personCard' && a.audience.personId === `email:${email}`)?.view;

  it('routes a low-risk normal change to the CAB (any one), and schedules it once approved', async () => {
    const { answer, change } = await submit(ALEX, rfc());
    expect(change).toMatchObject({ state: 'assessment', type: 'normal', affectedItems: ['exchange-01'] });
    expect(change.steps.map((s) => [s.name, s.need, s.approvers.map((a) => a.name)])).toEqual([['Change Advisory Board', 1, ['Jordan Choi', 'Robin Han']]]);
    expect(cardTo(answer, ROBIN)?.actions.map((a) => a.actionId)).toEqual([CHANGE_IDS.approve, CHANGE_IDS.rejectForm]);
    const approved = await approve(ROBIN, change);
    expect((await current(change)).state).toBe('scheduled');
    expect(approved.announcements.find((a) => a.audience.kind === 'person')?.view.text).toContain(`${change.number} (Patch the Exchange server) is approved and scheduled for`);
  });

  it("shows the CAB's live tally on every member's card, and needs two for a high risk", async () => {
    const { change } = await submit(ALEX, rfc({ risk: 'high', windowStart: '2026-12-06T22:00:00+09:00', windowEnd: '2026-12-06T23:00:00+09:00' }));
    expect(change.steps[0]?.need).toBe(2);
    const first = await approve(JORDAN, change);
    expect((await current(change)).state).toBe('assessment');
    const tally = (view: CardView | undefined) => view?.context?.join('\n');
    expect(tally(cardTo(first, ROBIN))).toContain('1 of 2 approvals (Jordan Choi approved, Robin Han has not voted)');
    expect(tally(cardTo(first, ALEX))).toContain('Jordan Choi approved');
    await approve(ROBIN, change);
    expect((await current(change)).state).toBe('scheduled');
  });

  it('counts two CAB members voting at the same moment', async () => {
    const { change } = await submit(ALEX, rfc({ risk: 'high', windowStart: '2026-12-07T22:00:00+09:00', windowEnd: '2026-12-07T23:00:00+09:00' }));
    await Promise.all([approve(JORDAN, change), approve(ROBIN, change)]);
    const now = await current(change);
    expect(now.state).toBe('scheduled');
    expect(now.steps[0]?.votes.map((v) => v.approverName).sort()).toEqual(['Jordan Choi', 'Robin Han']);
  });

  it("leaves a CAB member out of their own change's approvers, and refuses their vote on it", async () => {
    const { change } = await submit(JORDAN, rfc({ risk: 'high', configurationItem: 'radius', service: 'vpn', windowStart: '2026-12-08T22:00:00+09:00', windowEnd: '2026-12-08T23:00:00+09:00' }));
    expect(change.steps[0]?.approvers.map((a) => a.name)).toEqual(['Robin Han']);
    expect(change.steps[0]?.need).toBe(1);
    expect(errorOf(await approve(JORDAN, change)).text).toBe('You cannot approve or reject your own record.');
    // To an employee it does not concern, it does not exist: their click (a forged or stale card) says so, audited.
    expect(errorOf(await approve(JAMIE, change)).text).toBe(`There is no change ${change.number}.`);
    expect(errorOf(await run(app, CHANGE_IDS.cancel, await actor(JAMIE), { recordId: change._id })).text).toBe(`There is no change ${change.number}.`);
    expect(await database.models.AuditEvent.countDocuments({ recordId: change._id, action: { $in: ['approve.refused', 'view.refused'] } })).toBe(3);
  });

  it('schedules a standard change at once: it is pre-approved', async () => {
    const { answer, change } = await submit(ALEX, rfc({ type: 'standard', windowStart: '2026-12-09T22:00:00+09:00', windowEnd: '2026-12-09T23:00:00+09:00' }));
    expect(change).toMatchObject({ state: 'scheduled', steps: [] });
    expect(noticeOf(answer)).toContain('It needs no approval and is scheduled.');
  });

  it('warns of a change on a related configuration item in an overlapping window', async () => {
    const { change: first } = await submit(ALEX, rfc({ windowStart: '2026-12-10T22:00:00+09:00', windowEnd: '2026-12-10T23:59:00+09:00' }));
    // The mail gateway runs on exchange-01.
    const { answer, change } = await submit(ALEX, rfc({ title: 'Gateway rules', configurationItem: 'mail-gateway', windowStart: '2026-12-10T23:00:00+09:00', windowEnd: '2026-12-11T01:00:00+09:00' }));
    expect(change.collisions).toEqual([{ number: first.number, title: 'Patch the Exchange server', state: 'assessment', item: 'exchange-01' }]);
    expect(noticeOf(answer)).toContain(`Watch out: ${first.number} (Patch the Exchange server, Waiting for approval) on exchange-01`);
    const { change: later } = await submit(ALEX, rfc({ title: 'Later', configurationItem: 'mail-gateway', windowStart: '2026-12-12T22:00:00+09:00', windowEnd: '2026-12-12T23:00:00+09:00' }));
    expect(later.collisions).toEqual([]);
    // Approved, the first one is looked at again: the gateway's change came after it was submitted.
    const approved = await approve(ROBIN, first);
    expect((await current(first)).collisions).toEqual([{ number: change.number, title: 'Gateway rules', state: 'assessment', item: 'mail-gateway' }]);
    expect(cardOf(approved).context?.join('\n')).toContain(`Collides with: ${change.number} (Gateway rules, Waiting for approval) on mail-gateway`);
  });

  it('holds an approval into a freeze until a change manager overrides it, audited; an emergency may go in', async () => {
    const inFreeze = { windowStart: '2026-12-24T22:00:00+09:00', windowEnd: '2026-12-24T23:00:00+09:00' };
    const { answer, change } = await submit(ALEX, rfc(inFreeze));
    expect(change.freezes).toEqual(['Year-end freeze']);
    expect(noticeOf(answer)).toContain('In the freeze: Year-end freeze');
    expect(errorOf(await approve(ROBIN, change)).text).toBe(`${change.number} is planned in Year-end freeze: a change manager must override the freeze first.`);
    // Robin is an approver, not a change manager.
    expect(errorOf(await run(app, CHANGE_IDS.overrideFreeze, await actor(ROBIN), { recordId: change._id })).text).toBe('You are not allowed to do that.');
    await run(app, CHANGE_IDS.overrideFreeze, await actor(JORDAN), { recordId: change._id });
    expect((await current(change)).freezeOverride).toMatchObject({ byName: 'Jordan Choi' });
    expect(await database.models.AuditEvent.countDocuments({ recordId: change._id, action: 'override_freeze' })).toBe(1);
    expect(await database.models.AuditEvent.countDocuments({ recordId: change._id, action: 'approve.refused' })).toBe(1);
    await approve(ROBIN, change);
    expect((await current(change)).state).toBe('scheduled');
    const { change: emergency } = await submit(ALEX, rfc({ type: 'emergency', ...inFreeze }));
    expect(emergency.freezes).toEqual([]);
    // A standard change is pre-approved, but does not start in a freeze without the override either.
    const { change: standard } = await submit(ALEX, rfc({ type: 'standard', ...inFreeze }));
    expect(standard).toMatchObject({ state: 'scheduled', freezes: ['Year-end freeze'] });
    expect(errorOf(await run(app, CHANGE_IDS.start, await actor(ALEX), { recordId: standard._id })).text).toBe(`${standard.number} is planned in Year-end freeze: a change manager must override the freeze first.`);
    await run(app, CHANGE_IDS.overrideFreeze, await actor(JORDAN), { recordId: standard._id });
    await run(app, CHANGE_IDS.start, await actor(ALEX), { recordId: standard._id });
    expect((await current(standard)).state).toBe('implementing');
  });

  it('goes from scheduled to implementing to review with its outcome, and counts it in the success rate', async () => {
    const { change } = await submit(ALEX, rfc({ type: 'standard', windowStart: '2026-12-13T22:00:00+09:00', windowEnd: '2026-12-13T23:00:00+09:00' }));
    // Robin may see it (an approver) but is neither its requester nor a change manager; to Jamie it does not exist.
    expect(errorOf(await run(app, CHANGE_IDS.start, await actor(ROBIN), { recordId: change._id })).text).toBe('You are not allowed to do that.');
    expect(errorOf(await run(app, CHANGE_IDS.start, await actor(JAMIE), { recordId: change._id })).text).toBe(`There is no change ${change.number}.`);
    await run(app, CHANGE_IDS.start, await actor(ALEX), { recordId: change._id });
    expect((await current(change)).state).toBe('implementing');
    const blank = await run(app, CHANGE_IDS.complete, await actor(ALEX), { recordId: change._id });
    expect(errorOf(blank).fieldErrors).toEqual({ outcome: 'This field is required.' });
    await run(app, CHANGE_IDS.complete, await actor(ALEX), { recordId: change._id, outcome: 'backed_out', notes: 'The update failed its checks.' });
    expect(await current(change)).toMatchObject({ state: 'review', outcome: 'backed_out' });
    await run(app, CHANGE_IDS.close, await actor(JORDAN), { recordId: change._id });
    expect((await current(change)).state).toBe('closed');
    const stats = await run(app, CHANGE_IDS.stats, await actor(JAMIE), {});
    expect(noticeOf(stats)).toBe('0% of the 1 changes reviewed in the last 90 days succeeded (0 successful, 0 failed, 1 backed out).');
    // It leaves the rate as time passes: 91 days after its window.
    clock.set('2027-03-15T10:00:00+09:00');
    try {
      expect(noticeOf(await run(app, CHANGE_IDS.stats, await actor(JAMIE), {}))).toBe('No change was reviewed in the last 90 days.');
    } finally {
      clock.set('2026-12-01T10:00:00+09:00');
    }
  });

  it('needs a reason to reject, and lets the requester cancel', async () => {
    // High risk: both CAB members must approve, so one rejection decides it.
    const { change } = await submit(ALEX, rfc({ risk: 'high', windowStart: '2026-12-14T22:00:00+09:00', windowEnd: '2026-12-14T23:00:00+09:00' }));
    expect(errorOf(await run(app, CHANGE_IDS.reject, await actor(ROBIN), { recordId: change._id, reason: '' })).fieldErrors).toEqual({ reason: 'This field is required.' });
    await run(app, CHANGE_IDS.reject, await actor(ROBIN), { recordId: change._id, reason: 'No backout test.' });
    expect(await current(change)).toMatchObject({ state: 'rejected', rejection: { byName: 'Robin Han', reason: 'No backout test.' } });
    // Any one of the CAB: one rejection leaves the other to decide.
    const { change: other } = await submit(ALEX, rfc({ windowStart: '2026-12-15T22:00:00+09:00', windowEnd: '2026-12-15T23:00:00+09:00' }));
    await run(app, CHANGE_IDS.reject, await actor(ROBIN), { recordId: other._id, reason: 'Not now.' });
    expect((await current(other)).state).toBe('assessment');
    await run(app, CHANGE_IDS.cancel, await actor(ALEX), { recordId: other._id });
    expect((await current(other)).state).toBe('cancelled');
  });

  it('refuses a window that ends before it starts, and an item of another service, beside their fields', async () => {
    const backwards = await run(app, CHANGE_IDS.submit, await actor(ALEX), rfc({ windowEnd: '2026-12-05T21:00:00+09:00' }));
    expect(errorOf(backwards).fieldErrors).toEqual({ windowEnd: 'Please give a window that ends after it starts.' });
    const elsewhere = await run(app, CHANGE_IDS.submit, await actor(ALEX), rfc({ configurationItem: 'radius' }));
    expect(errorOf(elsewhere).fieldErrors).toEqual({ configurationItem: 'There is no configuration item "radius" for this service.' });
    const several = await run(app, CHANGE_IDS.submit, await actor(ALEX), rfc({ configurationItem: undefined, configurationItems: ['exchange-01', 'radius'] }));
    expect(errorOf(several).fieldErrors).toEqual({ configurationItems: 'There is no configuration item "radius" for this service.' });
  });

  it('takes several configuration items (the form sends a list)', async () => {
    const { change } = await submit(ALEX, rfc({ configurationItem: undefined, configurationItems: ['exchange-01', 'mail-gateway'], windowStart: '2027-03-05T22:00:00+09:00', windowEnd: '2027-03-05T23:00:00+09:00' }));
    expect(change.affectedItems).toEqual(['exchange-01', 'mail-gateway']);
  });

  it("shows on an incident's card the changes made to its configuration item in the last 24 hours", async () => {
    const { change } = await submit(ALEX, rfc({ type: 'standard', windowStart: '2026-12-01T09:00:00+09:00', windowEnd: '2026-12-01T09:45:00+09:00' }));
    await run(app, CHANGE_IDS.start, await actor(ALEX), { recordId: change._id });
    const reported = await run(app, 'incident.report', await actor(JAMIE), { summary: 'Mail bounces', service: 'email', configurationItem: 'exchange-01', impact: 'medium', urgency: 'high', platform: 'slack' });
    const shown = async () => cardOf(await run(app, 'incident.show', await actor(ALEX), { recordId: cardOf(reported).recordId })).context?.join('\n') ?? '';
    expect(await shown()).toContain(`Changes to its configuration items in the last 24 hours: ${change.number} (Patch the Exchange server, Implementing)`);
    clock.set('2026-12-02T10:00:00+09:00');
    try {
      expect(await shown()).not.toContain(change.number);
    } finally {
      clock.set('2026-12-01T10:00:00+09:00');
    }
  });

  it("looks for collisions among the open changes of the items concerned only, not every open change", async () => {
    const elsewhere: string[] = [];
    for (let i = 0; i < 8; i++) elsewhere.push((await submit(ALEX, rfc({ windowStart: '2026-12-20T01:00:00+09:00', windowEnd: '2026-12-20T02:00:00+09:00' }))).change._id);
    // A change on the RADIUS server (related to the VPN gateway only) in the same window.
    const commands = await commandsDuring(database, () => submit(ALEX, rfc({ service: 'vpn', configurationItem: 'radius', windowStart: '2026-12-20T01:00:00+09:00', windowEnd: '2026-12-20T02:00:00+09:00' })));
    const read = commands.filter((c) => c.name === 'find').map((c) => String((c.filter as { _id?: unknown } | undefined)?._id ?? ''));
    expect(read.filter((id) => elsewhere.includes(id))).toEqual([]);
  });
});
