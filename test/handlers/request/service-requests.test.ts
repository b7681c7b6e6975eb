import type { App } from '../../../src/app';
import type { Database } from '../../../src/db/connect';
import type { ServiceRequestDoc } from '../../../src/models/service-request.model';
import type { Actor } from '../../../src/people/people-directory';
import { REQUEST_IDS } from '../../../src/views/request-actions';
import type { Announcement, CardView, ListView } from '../../../src/views/view-model';
import { HOME_IDS } from '../../../handlers/home/my-desk';
import type { HandlerResult } from '../../../handlers/handler';
import { ALEX, JAMIE, MINJI, SAM, TestClock, buildActor, buildApp, buildConfig, cardOf, errorOf, run } from '../../support/factories';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

const ROBIN = 'robin.han@example.com'; // approver; Jamie's manager; a CAB member
const JORDAN = 'jordan.choi@example.com'; // change manager and approver; a CAB member
const DANA = 'dana.oh@example.com'; // finance approver

const laptop = (overrides: Record<string, string> = {}) => ({
  item: 'laptop',
  answers: { model: 'MacBook Pro 14', cost: '1,800,000', reason: 'Mine no longer boots.', ...overrides },
});

describe('service requests and their approvals (against the MongoDB-compatible server)', () => {
  let database: Database;
  let app: App;
  const clock = new TestClock(new Date('2026-12-01T10:00:00+09:00'));
  beforeAll(async () => {
    database = await openTestDatabase('service_requests');
    const config = buildConfig((c) => {
      c.groups.push({ key: 'board', name: 'Review board', members: [JORDAN, ROBIN, DANA] } as never);
      (c.catalog as unknown[]).push(
        { key: 'all-of-board', name: 'Board decision (all)', fulfilmentGroup: 'service-desk', approval: { group: 'board', need: 'all' } },
        { key: 'two-of-board', name: 'Board decision (two)', fulfilmentGroup: 'service-desk', approval: { group: 'board', need: 2 } },
        { key: 'tidy-desk', name: 'Tidy my desk', fulfilmentGroup: 'service-desk', approval: 'none', tasks: [{ name: 'Tidy' }, { name: 'Dust' }, { name: 'Photograph', parallel: true }] },
      );
    });
    app = await buildApp(database, clock, config);
  });
  afterAll(() => dropTestDatabase(database));

  const actor = (email: string): Promise<Actor> => buildActor(app, email);
  const submit = async (email: string, input: unknown): Promise<ServiceRequestDoc> => {
    const answer = await run(app, REQUEST_IDS.submit, await actor(email), input);
    const recordId = cardOf(answer).recordId as string;
    return (await app.ctx.requests.findById(recordId)) as ServiceRequestDoc;
  };
  const current = async (request: ServiceRequestDoc) => (await app.ctx.requests.findById(request._id)) as ServiceRequestDoc;
  const approve = async (email: string, request: ServiceRequestDoc, step?: number) => run(app, REQUEST_IDS.approve, await actor(email), { recordId: request._id, ...(step !== undefined ? { step } : {}) });
  const cardsTo = (answer: HandlerResult, kind: Announcement['audience']['kind']) => answer.announcements.filter((a) => a.audience.kind === kind);
  const actionsOn = (card: CardView) => card.actions.map((a) => a.actionId);
  const approversOf = (request: ServiceRequestDoc, step = 0) => request.steps[step]?.approvers.map((a) => a.name);

  it('takes the new laptop from the form to "your laptop is ready": manager in a DM, then the purchase and the set-up', async () => {
    const jamie = await actor(JAMIE);
    const submitted = await run(app, REQUEST_IDS.submit, jamie, laptop());
    expect(submitted.views[0]).toMatchObject({ kind: 'notice', tone: 'success', text: expect.stringContaining('It waits for approval by Robin Han.') });
    const request = (await app.ctx.requests.findById(cardOf(submitted).recordId as string)) as ServiceRequestDoc;
    expect(request).toMatchObject({ state: 'awaiting_approval', currentStep: 0, title: 'New laptop' });
    expect(approversOf(request)).toEqual(['Robin Han']);
    // The manager's card, in their direct message, carries Approve and Reject; the requester's carries Withdraw.
    const robinsCard = cardsTo(submitted, 'personCard').find((a) => a.audience.kind === 'personCard' && a.audience.personId === 'email:robin.han@example.com');
    expect(actionsOn(robinsCard?.view as CardView)).toEqual([REQUEST_IDS.approve, REQUEST_IDS.rejectForm]);
    expect(actionsOn(cardOf(submitted))).toEqual([REQUEST_IDS.withdraw]);

    const approved = await approve(ROBIN, request);
    let now = await current(request);
    expect(now).toMatchObject({ state: 'in_fulfilment', currentStep: 1 });
    expect(now.steps[0]).toMatchObject({ outcome: 'approved', votes: [expect.objectContaining({ approverName: 'Robin Han', decision: 'approved' })] });
    expect(now.tasks.map((t) => t.state)).toEqual(['open', 'waiting']);
    // The requester is told, and the service desk's channel gets the card with its task.
    expect(cardsTo(approved, 'person')[0]?.view.text).toBe(`${request.number} (New laptop) is approved; Service Desk is on it.`);
    const deskCard = cardsTo(approved, 'groupCard')[0]?.view as CardView;
    expect(deskCard.actions.map((a) => a.label)).toEqual(['Take it', 'Done: Purchase']);
    expect(deskCard.fields.map((f) => f.label)).toEqual(['State', 'Priority', 'Requested by', 'Model', 'Cost (KRW)', 'Why', 'Fulfil by']);

    // Someone of the service desk takes it: theirs, and Jamie reads who has it. Nobody else may.
    expect(errorOf(await run(app, REQUEST_IDS.take, await actor(ALEX), { recordId: request._id })).text).toBe('You are not allowed to do that.');
    const taken = await run(app, REQUEST_IDS.take, await actor(SAM), { recordId: request._id });
    expect(await current(request)).toMatchObject({ assigneeId: 'email:sam.lee@example.com', assigneeName: 'Sam Lee' });
    expect(cardsTo(taken, 'person')[0]?.view.text).toBe(`Sam Lee took ${request.number} (New laptop).`);
    expect((cardsTo(taken, 'groupCard')[0]?.view as CardView).actions.map((a) => a.label)).toEqual(['Done: Purchase']);
    // Minji clicking Take it on a card drawn before is told who has it; nothing changes.
    expect(errorOf(await run(app, REQUEST_IDS.take, await actor(MINJI), { recordId: request._id })).text).toBe(`Sam Lee님이 이미 ${request.number}을(를) 맡고 있습니다.`);
    expect((await current(request)).assigneeName).toBe('Sam Lee');

    // Only the service desk marks its tasks done.
    expect(errorOf(await run(app, REQUEST_IDS.taskDone, await actor(ALEX), { recordId: request._id, task: 0 })).text).toBe('You are not allowed to do that.');
    await run(app, REQUEST_IDS.taskDone, await actor(SAM), { recordId: request._id, task: 0 });
    now = await current(request);
    expect(now.tasks.map((t) => t.state)).toEqual(['done', 'open']);
    const ready = await run(app, REQUEST_IDS.taskDone, await actor(MINJI), { recordId: request._id, task: 1 });
    now = await current(request);
    expect(now.state).toBe('fulfilled');
    expect(cardsTo(ready, 'person')[0]?.view.text).toBe(`${request.number}: your New laptop is ready.`);
    // Jamie rates the service from that message; nobody else may.
    expect(cardsTo(ready, 'person')[0]?.view.actions.map((a) => a.value)).toEqual(['1', '2', '3', '4', '5']);
    expect(errorOf(await run(app, REQUEST_IDS.rate, await actor(ALEX), { recordId: request._id, rating: 1 })).text).toBe('You are not allowed to do that.');
    await run(app, REQUEST_IDS.rate, await actor(JAMIE), { recordId: request._id, rating: 4 });
    expect((await current(request)).rating).toBe(4);
    // Every step is in the record's audit chain.
    const chain = await database.models.AuditEvent.find({ recordId: request._id, seq: { $gte: 1 } }).sort({ seq: 1 }).lean();
    expect(chain.map((e) => e.action)).toEqual(['create', 'approve', 'take', 'complete_task', 'fulfil', 'rate']);
  });

  it('adds the finance step over 2,000,000 KRW, and decides the steps in order', async () => {
    const request = await submit(JAMIE, laptop({ cost: '2,500,000' }));
    expect(request.steps.map((s) => [s.kind, s.approvers.map((a) => a.name)])).toEqual([
      ['manager', ['Robin Han']],
      ['person', ['Dana Oh']],
    ]);
    // Finance cannot decide before the manager.
    expect(errorOf(await approve(DANA, request)).text).toBe(`You are not an approver of ${request.number} at this step.`);
    await approve(ROBIN, request);
    expect(await current(request)).toMatchObject({ state: 'awaiting_approval', currentStep: 1 });
    // A second click by the manager, on their card of the first step, is refused and audited.
    expect(errorOf(await approve(ROBIN, request, 0)).text).toBe(`You already approved ${request.number}.`);
    expect(await database.models.AuditEvent.countDocuments({ recordId: request._id, action: 'approve.refused' })).toBeGreaterThanOrEqual(2);
    await approve(DANA, request);
    expect((await current(request)).state).toBe('in_fulfilment');
  });

  it("refuses approving one's own request, even to someone in the approving group", async () => {
    const request = await submit(ROBIN, { item: 'software', answers: { product: 'Figma' } });
    // The CAB decides "any one", and Robin is left out of his own request's approvers.
    expect(approversOf(request)).toEqual(['Jordan Choi']);
    expect(errorOf(await approve(ROBIN, request)).text).toBe('You cannot approve or reject your own record.');
    expect(await database.models.AuditEvent.countDocuments({ recordId: request._id, action: 'approve.refused' })).toBe(1);
    expect((await current(request)).state).toBe('awaiting_approval');
  });

  it('needs a reason to reject, and tells the requester the reason', async () => {
    const request = await submit(JAMIE, laptop());
    const robin = await actor(ROBIN);
    const form = await run(app, REQUEST_IDS.rejectForm, robin, { recordId: request._id, step: 0 });
    expect(form.views[0]).toMatchObject({ kind: 'form', submitId: REQUEST_IDS.reject, recordId: `${request._id}#0` });
    const blank = await run(app, REQUEST_IDS.reject, robin, { recordId: request._id, step: 0, reason: '  ' });
    expect(errorOf(blank).fieldErrors).toEqual({ reason: 'This field is required.' });
    expect((await current(request)).state).toBe('awaiting_approval');
    const rejected = await run(app, REQUEST_IDS.reject, robin, { recordId: request._id, step: 0, reason: 'A spare is in the cupboard.' });
    expect(await current(request)).toMatchObject({ state: 'rejected', rejection: { byName: 'Robin Han', reason: 'A spare is in the cupboard.' } });
    expect(cardsTo(rejected, 'person')[0]?.view.text).toBe(`${request.number} (New laptop) was rejected by Robin Han: A spare is in the cupboard.`);
    // Nothing more to decide: the approver's card has no buttons left.
    expect(cardOf(rejected).actions).toEqual([]);
  });

  it('counts three board members voting at the same moment (all of them needed)', async () => {
    const request = await submit(JAMIE, { item: 'all-of-board', answers: {} });
    expect(request.steps[0]?.need).toBe(3);
    const answers = await Promise.all([JORDAN, ROBIN, DANA].map((email) => approve(email, request)));
    for (const answer of answers) expect(answer.views.find((v) => v.kind === 'notice' && v.tone === 'error')).toBeUndefined();
    const now = await current(request);
    expect(now.state).toBe('in_fulfilment');
    expect(now.steps[0]?.votes.map((v) => v.approverName).sort()).toEqual(['Dana Oh', 'Jordan Choi', 'Robin Han']);
  });

  it('decides a quorum of two when two approve, keeping a third vote cast at the same moment', async () => {
    const request = await submit(JAMIE, { item: 'two-of-board', answers: {} });
    await Promise.all([JORDAN, ROBIN, DANA].map((email) => approve(email, request)));
    const now = await current(request);
    expect(now.state).toBe('in_fulfilment');
    expect(now.steps[0]?.votes.length).toBeGreaterThanOrEqual(2);
    expect(await database.models.ApprovalVote.countDocuments({ recordId: request._id })).toBe(3);
  });

  it('rejects a quorum once it can no longer be reached', async () => {
    const request = await submit(JAMIE, { item: 'two-of-board', answers: {} });
    await run(app, REQUEST_IDS.reject, await actor(JORDAN), { recordId: request._id, reason: 'No budget' });
    expect((await current(request)).state).toBe('awaiting_approval'); // two may still approve
    await run(app, REQUEST_IDS.reject, await actor(DANA), { recordId: request._id, reason: 'Not this quarter' });
    expect(await current(request)).toMatchObject({ state: 'rejected', rejection: { byName: 'Dana Oh', reason: 'Not this quarter' } });
    expect(errorOf(await approve(ROBIN, request)).text).toBe(`${request.number} is already Rejected; your vote was not needed.`);
  });

  it('settles a decision racing a withdrawal one way, and tells the other side', async () => {
    for (let round = 0; round < 3; round++) {
      const request = await submit(JAMIE, laptop());
      const [withdrawn, approved] = await Promise.all([
        run(app, REQUEST_IDS.withdraw, await actor(JAMIE), { recordId: request._id }),
        approve(ROBIN, request),
      ]);
      const now = await current(request);
      expect(['cancelled', 'in_fulfilment']).toContain(now.state);
      if (now.state === 'in_fulfilment') {
        // Approved first: the withdrawal went on from the fulfilment, or was refused; either way one outcome.
        expect(withdrawn.views.length).toBeGreaterThan(0);
      } else {
        expect(now.steps[0]?.votes ?? []).toEqual([]);
        expect(approved.views[0]).toMatchObject({ kind: 'notice' });
      }
      const chain = await database.models.AuditEvent.find({ recordId: request._id, seq: { $gte: 1 } }).lean();
      expect(new Set(chain.map((e) => e.seq)).size).toBe(chain.length);
    }
  });

  it("sends a critical system's access to its owner too, and a newcomer without a manager to the escalation", async () => {
    const critical = await submit(JAMIE, { item: 'access', answers: { system: 'exchange-01', level: 'read' } });
    expect(critical.steps.map((s) => [s.kind, s.name, s.approvers.map((a) => a.name)])).toEqual([
      ['manager', '', ['Robin Han']],
      ['owner', 'Exchange mailbox server 01', ['Alex Park']],
    ]);
    const ordinary = await submit(JAMIE, { item: 'access', answers: { system: 'mail-gateway', level: 'read' } });
    expect(ordinary.steps.length).toBe(1);
    // Someone not in the configuration has no manager: the step falls to the item's escalation person.
    const newcomer = await submit('noa.newcomer@example.com', laptop());
    expect(approversOf(newcomer)).toEqual(['Casey Lim']);
  });

  it("gives an approver's requests to their delegate while they are away", async () => {
    clock.set('2027-02-09T10:00:00+09:00');
    try {
      const request = await submit(JAMIE, laptop());
      expect(request.steps[0]?.approvers).toEqual([{ id: 'email:jordan.choi@example.com', name: 'Jordan Choi', onBehalfOf: { id: 'email:robin.han@example.com', name: 'Robin Han' } }]);
      await approve(JORDAN, request);
      expect((await current(request)).steps[0]?.votes[0]).toMatchObject({ approverName: 'Jordan Choi', onBehalfOfName: 'Robin Han' });
      // Robin away asks the CAB himself: his delegate does not decide for him.
      expect(approversOf(await submit(ROBIN, { item: 'software', answers: { product: 'Figma' } }))).toEqual(['Jordan Choi']);
      expect((await submit(ROBIN, { item: 'software', answers: { product: 'Figma' } })).steps[0]?.approvers[0]?.onBehalfOf).toBeUndefined();
      // Jordan asks: Robin's stand-in would be Jordan himself, so the step falls to the service desk's manager.
      expect(approversOf(await submit(JORDAN, { item: 'software', answers: { product: 'Figma' } }))).toEqual(['Casey Lim']);
    } finally {
      clock.set('2026-12-01T10:00:00+09:00');
    }
  });

  it("checks the form's answers field by field, and creates nothing on a mistake", async () => {
    const before = await database.models.ServiceRequest.countDocuments();
    const answer = await run(app, REQUEST_IDS.submit, await actor(JAMIE), { item: 'laptop', answers: { model: 'Abacus', cost: 'a lot' } });
    expect(errorOf(answer).fieldErrors).toEqual({ model: 'Please choose one of the options.', cost: 'Please enter a number.', reason: 'This field is required.' });
    expect(errorOf(await run(app, REQUEST_IDS.submit, await actor(JAMIE), { item: 'yacht', answers: {} })).text).toBe('There is no catalog item "yacht".');
    expect(await database.models.ServiceRequest.countDocuments()).toBe(before);
  });

  it('lets nobody take their own request, not even a member of its fulfilment group', async () => {
    // Sam is of the service desk, and asks for something the service desk does.
    const request = await submit(SAM, { item: 'tidy-desk', answers: {} });
    expect(errorOf(await run(app, REQUEST_IDS.take, await actor(SAM), { recordId: request._id })).text).toBe(`자신의 요청(${request.number})은 맡을 수 없습니다. 그룹의 다른 사람이 처리합니다.`);
    // Doing one of its tasks is no response either: the clock runs on for someone else.
    await run(app, REQUEST_IDS.taskDone, await actor(SAM), { recordId: request._id, task: 0 });
    expect((await current(request)).respondedAt ?? null).toBeNull();
  });

  it('opens the tasks in order, those marked parallel together', async () => {
    const request = await submit(JAMIE, { item: 'tidy-desk', answers: {} });
    expect(request.state).toBe('in_fulfilment');
    expect(request.tasks.map((t) => t.state)).toEqual(['open', 'waiting', 'waiting']);
    expect(request.respondedAt ?? null).toBeNull();
    await run(app, REQUEST_IDS.taskDone, await actor(SAM), { recordId: request._id, task: 0 });
    // A task done is a response, when nobody took the request first.
    expect((await current(request)).respondedAt).toEqual(clock.now());
    expect((await current(request)).tasks.map((t) => t.state)).toEqual(['done', 'open', 'open']);
    await Promise.all([1, 2].map(async (task) => run(app, REQUEST_IDS.taskDone, await actor(task === 1 ? SAM : MINJI), { recordId: request._id, task })));
    expect((await current(request)).state).toBe('fulfilled');
  });

  it("lists what waits on the viewer's approval on their desk, and the requester's open requests", async () => {
    const request = await submit(JAMIE, laptop({ cost: '900,000' }));
    const desk = async (email: string) => (await run(app, HOME_IDS.desk, await actor(email), {})).views as ListView[];
    const waiting = (views: ListView[]) => views.find((v) => v.title === 'Waiting on your approval')?.items.map((i) => i.recordId);
    expect(waiting(await desk(ROBIN))).toContain(request._id);
    expect((await desk(JAMIE)).find((v) => v.title === 'Your open requests')?.items.map((i) => i.recordId)).toContain(request._id);
    await approve(ROBIN, request);
    expect(waiting(await desk(ROBIN))).not.toContain(request._id);
  });

  it('counts a vote whose process died after claiming it when its request is replayed, and refuses any other click', async () => {
    const request = await submit(JAMIE, laptop());
    const robin = await actor(ROBIN);
    // The click's process claimed the vote, then died before counting it into the request.
    await app.ctx.votes.cast({ recordId: request._id, step: 0, approverId: robin.id, approverName: robin.name, decision: 'approved', at: clock.now(), requestKey: 'slack:trigger-1' });
    expect((await current(request)).state).toBe('awaiting_approval');
    const replayed = await run(app, REQUEST_IDS.approve, { ...robin, request: { key: 'slack:trigger-1', replayed: true } }, { recordId: request._id, step: 0 });
    expect(replayed.views.find((v) => v.kind === 'notice' && v.tone === 'error')).toBeUndefined();
    expect((await current(request)).state).toBe('in_fulfilment');
    // Another click (another request) by the same person is a second vote: refused.
    const again = await run(app, REQUEST_IDS.approve, { ...robin, request: { key: 'slack:trigger-2', replayed: false } }, { recordId: request._id, step: 0 });
    expect(errorOf(again).text).toBe(`You already approved ${request.number}.`);
  });

  it('creates one request for a submission retried or replayed (its dedupe key), announcing the same cards', async () => {
    const jamie = await actor(JAMIE);
    const first = await run(app, REQUEST_IDS.submit, jamie, { ...laptop(), dedupeKey: 'slack:view:V1' });
    const retried = await run(app, REQUEST_IDS.submit, jamie, { ...laptop(), dedupeKey: 'slack:view:V1' });
    const replayed = await run(app, REQUEST_IDS.submit, { ...jamie, request: { key: 'slack:V1', replayed: true } }, { ...laptop(), dedupeKey: 'slack:view:V1' });
    const number = cardOf(first).recordId;
    expect(retried.views[0]).toMatchObject({ kind: 'notice', text: `This was already requested as ${number}.` });
    expect(cardOf(replayed).recordId).toBe(number);
    expect(retried.announcements.map((a) => a.recordId)).toEqual(first.announcements.map((a) => a.recordId));
    expect(await database.models.ServiceRequest.countDocuments({ dedupeKey: 'slack:view:V1' })).toBe(1);
  });

  it("counts a vote whose count never landed when the approver clicks again, rather than refusing it", async () => {
    const request = await submit(JAMIE, laptop());
    const robin = await actor(ROBIN);
    // A click's vote was claimed, its count failed, and its replay was given up.
    await app.ctx.votes.cast({ recordId: request._id, step: 0, approverId: robin.id, approverName: robin.name, decision: 'approved', at: clock.now(), requestKey: 'slack:lost-click' });
    const again = await run(app, REQUEST_IDS.approve, { ...robin, request: { key: 'slack:new-click', replayed: false } }, { recordId: request._id, step: 0 });
    expect(again.views.find((v) => v.kind === 'notice' && v.tone === 'error')).toBeUndefined();
    expect((await current(request)).state).toBe('in_fulfilment');
  });

  it('replays a click whose change landed before its process died: no refusal, and what followed the change is done again', async () => {
    const request = await submit(JAMIE, laptop());
    const robin = await actor(ROBIN);
    const click = { key: 'slack:approve-click', replayed: false };
    await run(app, REQUEST_IDS.approve, { ...robin, request: click }, { recordId: request._id, step: 0 });
    const replayed = await run(app, REQUEST_IDS.approve, { ...robin, request: { ...click, replayed: true } }, { recordId: request._id, step: 0 });
    expect(replayed.views.find((v) => v.kind === 'notice' && v.tone === 'error')).toBeUndefined();
    // The requester's message (its notification id makes it once) is announced again.
    expect(replayed.announcements.find((a) => a.audience.kind === 'person')?.reason).toBe('request.approved');
    const jamie = await actor(JAMIE);
    const withdraw = { key: 'slack:withdraw-click', replayed: false };
    await run(app, REQUEST_IDS.withdraw, { ...jamie, request: withdraw }, { recordId: request._id });
    const again = await run(app, REQUEST_IDS.withdraw, { ...jamie, request: { ...withdraw, replayed: true } }, { recordId: request._id });
    expect(again.views.find((v) => v.kind === 'notice' && v.tone === 'error')).toBeUndefined();
    expect((await current(request)).state).toBe('cancelled');
    expect(await database.models.AuditEvent.countDocuments({ recordId: request._id, action: 'cancel.refused' })).toBe(0);
  });
});
