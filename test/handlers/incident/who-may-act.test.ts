import type { App } from '../../../src/app';
import type { Database } from '../../../src/db/connect';
import type { IncidentDoc } from '../../../src/models/incident.model';
import type { Actor } from '../../../src/people/people-directory';
import type { NoticeView } from '../../../src/views/view-model';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import { ALEX, JAMIE, MINJI, TAYLOR, TestClock, buildActor, buildApp, cardOf, reportInput, run } from '../../support/factories';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

/**
 * The rule of docs/authorisation.md as a table: every incident action (and the form that leads to
 * it) by every kind of person, against the real database. `A` allowed, `-` refused (and audited).
 * The incident is reported by Jamie to the VPN service, worked by the Service Desk group (Minji,
 * Sam; Casey manages it); Alex is an agent of Messaging; Taylor an admin; Robin an approver only.
 */
const PEOPLE = ['requester', 'group agent', 'other-group agent', 'group manager', 'admin', 'employee', 'unknown Slack user'] as const;
type Person = (typeof PEOPLE)[number];

type State = 'new' | 'in_progress' | 'on_hold:awaiting_vendor' | 'on_hold:awaiting_caller' | 'resolved';

interface Row {
  name: string;
  state: State;
  handler: string;
  input: Record<string, unknown>;
  /** The lifecycle action audited for it (a form is audited as the action it leads to when refused). */
  audited: string;
  expected: string;
}

//                                                                                              req  agent other mgr  admin empl unknown
const ROWS: Row[] = [
  { name: 'acknowledge', state: 'new', handler: INCIDENT_IDS.ack, input: {}, audited: 'acknowledge', expected: '- A - A A - -' },
  { name: 'assign to me (a takeover from another group)', state: 'new', handler: INCIDENT_IDS.assignToMe, input: {}, audited: 'assign', expected: '- A A A A - -' },
  { name: 'assign to Sam in its group', state: 'new', handler: INCIDENT_IDS.assign, input: { group: 'service-desk', assignee: 'sam.lee@example.com' }, audited: 'assign', expected: '- A - A A - -' },
  { name: 'change the priority', state: 'new', handler: INCIDENT_IDS.priority, input: { impact: 'high', urgency: 'high' }, audited: 'reprioritise', expected: '- A - A A - -' },
  { name: 'open the hold form', state: 'in_progress', handler: INCIDENT_IDS.holdForm, input: {}, audited: 'hold', expected: '- A - A A - -' },
  { name: 'hold', state: 'in_progress', handler: INCIDENT_IDS.hold, input: { reason: 'awaiting_vendor' }, audited: 'hold', expected: '- A - A A - -' },
  { name: 'resume a hold awaiting the vendor', state: 'on_hold:awaiting_vendor', handler: INCIDENT_IDS.resume, input: {}, audited: 'resume', expected: '- A - A A - -' },
  { name: 'resume a hold awaiting the requester', state: 'on_hold:awaiting_caller', handler: INCIDENT_IDS.resume, input: {}, audited: 'resume', expected: 'A A - A A - -' },
  { name: 'open the resolve form', state: 'in_progress', handler: INCIDENT_IDS.resolveForm, input: {}, audited: 'resolve', expected: '- A - A A - -' },
  { name: 'resolve', state: 'in_progress', handler: INCIDENT_IDS.resolve, input: { code: 'solved_workaround', notes: 'Restarted it.' }, audited: 'resolve', expected: '- A - A A - -' },
  { name: 'open the reopen form', state: 'resolved', handler: INCIDENT_IDS.reopenForm, input: {}, audited: 'reopen', expected: 'A A - A A - -' },
  { name: 'reopen', state: 'resolved', handler: INCIDENT_IDS.reopen, input: { reason: 'It is back.' }, audited: 'reopen', expected: 'A A - A A - -' },
  { name: 'close', state: 'resolved', handler: INCIDENT_IDS.close, input: {}, audited: 'close', expected: 'A A - A A - -' },
  { name: 'comment', state: 'in_progress', handler: INCIDENT_IDS.comment, input: { text: 'Any news?' }, audited: 'comment', expected: 'A A - A A - -' },
  { name: 'rate the service', state: 'resolved', handler: INCIDENT_IDS.rate, input: { rating: 5 }, audited: 'rate', expected: 'A - - - A - -' },
];

const CELLS = ROWS.flatMap((row) => {
  const marks = row.expected.split(' ');
  return PEOPLE.map((person, i) => ({ row, person, allowed: marks[i] === 'A' }));
});

describe('who may act on an incident: every action by every kind of person', () => {
  let database: Database;
  let app: App;
  let actors: Record<Person, Actor>;
  let minji: Actor;
  const clock = new TestClock(new Date('2026-11-24T10:00:00+09:00'));

  beforeAll(async () => {
    database = await openTestDatabase('who_may_act');
    app = await buildApp(database, clock);
    minji = await buildActor(app, MINJI);
    actors = {
      requester: await buildActor(app, JAMIE),
      'group agent': minji,
      'other-group agent': await buildActor(app, ALEX),
      'group manager': await buildActor(app, 'casey.lim@example.com'),
      admin: await buildActor(app, TAYLOR),
      employee: await buildActor(app, 'robin.han@example.com'),
      'unknown Slack user': await app.ctx.people.actorFor({ platform: 'slack', userId: 'T1:U00STRANGER', email: 'someone.new@example.com' }),
    };
  });
  afterAll(() => dropTestDatabase(database));

  /** An incident reported by Jamie, brought to `state` by the group's agent. */
  async function incidentIn(state: State): Promise<IncidentDoc> {
    const recordId = cardOf(await run(app, INCIDENT_IDS.report, actors.requester, reportInput())).recordId as string;
    const step = async (handler: string, input: Record<string, unknown>) => cardOf(await run(app, handler, minji, { recordId, ...input }));
    if (state !== 'new') await step(INCIDENT_IDS.ack, {});
    if (state.startsWith('on_hold')) await step(INCIDENT_IDS.hold, { reason: state.split(':')[1] });
    if (state === 'resolved') await step(INCIDENT_IDS.resolve, { code: 'solved_permanently', notes: 'Fixed.' });
    return (await app.ctx.incidents.findById(recordId)) as IncidentDoc;
  }

  it.each(CELLS.map((c) => [c.row.name, c.person, c.allowed ? 'allowed' : 'refused', c] as const))('%s by the %s: %s', async (_name, person, _verdict, cell) => {
    const incident = await incidentIn(cell.row.state);
    const actor = actors[person];
    const result = await run(app, cell.row.handler, actor, { recordId: incident._id, ...cell.row.input });
    const error = result.views.find((v): v is NoticeView => v.kind === 'notice' && v.tone === 'error');
    const byActor = { recordId: incident._id, actorId: actor.id };
    if (cell.allowed) {
      expect(error).toBeUndefined();
      const isForm = cell.row.handler.endsWith('.form');
      expect(result.views.some((v) => v.kind === 'form')).toBe(isForm);
      if (!isForm) expect(await database.models.AuditEvent.countDocuments({ ...byActor, action: cell.row.audited })).toBe(1);
    } else {
      expect(error?.text).toBeTruthy();
      expect(await database.models.AuditEvent.countDocuments({ ...byActor, action: `${cell.row.audited}.refused` })).toBe(1);
      const after = (await app.ctx.incidents.findById(incident._id)) as IncidentDoc;
      expect(after.version).toBe(incident.version);
    }
  });

  it('tells an agent of another group how to take the incident over, and the takeover moves it to their group', async () => {
    const incident = await incidentIn('new');
    const alex = actors['other-group agent'];
    const refused = await run(app, INCIDENT_IDS.ack, alex, { recordId: incident._id });
    expect((refused.views[0] as NoticeView).text).toBe(`${incident._id} is worked by Service Desk. To work it yourself, take it over with Assign to me (it moves to your group).`);
    await run(app, INCIDENT_IDS.assignToMe, alex, { recordId: incident._id });
    expect(await app.ctx.incidents.findById(incident._id)).toMatchObject({ assignmentGroup: 'messaging', assigneeId: alex.id, state: 'in_progress' });
    const event = await database.models.AuditEvent.findOne({ recordId: incident._id, action: 'assign' }).lean();
    expect(event).toMatchObject({ before: { assignmentGroup: 'service-desk' }, after: { assignmentGroup: 'messaging', assigneeName: 'Alex Park' } });
  });

  it('lets an admin acknowledge without becoming the assignee of a group they are not in', async () => {
    const incident = await incidentIn('new');
    await run(app, INCIDENT_IDS.ack, actors.admin, { recordId: incident._id });
    const after = (await app.ctx.incidents.findById(incident._id)) as IncidentDoc;
    expect(after).toMatchObject({ state: 'in_progress', acknowledgedByName: 'Taylor Yoon', assignmentGroup: 'service-desk' });
    expect(after.assigneeId ?? null).toBeNull();
  });
});
