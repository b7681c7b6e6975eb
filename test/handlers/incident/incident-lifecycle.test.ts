import type { App } from '../../../src/app';
import type { Database } from '../../../src/db/connect';
import type { IncidentDoc } from '../../../src/models/incident.model';
import type { CardView, FormView, ListView, NoticeView } from '../../../src/views/view-model';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import {
  ALEX, JAMIE, MINJI, SAM, TAYLOR, TestClock, buildActor, buildApp, cardOf, errorOf, field, reportInput, run,
} from '../../support/factories';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

describe('incident lifecycle through the handlers (against the MongoDB-compatible server)', () => {
  let database: Database;
  let app: App;
  // Tuesday 24 November 2026, 10:00 in Seoul.
  const clock = new TestClock(new Date('2026-11-24T10:00:00+09:00'));

  beforeAll(async () => {
    database = await openTestDatabase('incident_lifecycle');
    app = await buildApp(database, clock);
  });
  afterAll(() => dropTestDatabase(database));

  async function report(overrides: Record<string, unknown> = {}, email = JAMIE): Promise<IncidentDoc> {
    const reporter = await buildActor(app, email);
    const result = await run(app, INCIDENT_IDS.report, reporter, reportInput(overrides));
    const card = cardOf(result);
    await app.jobs.wheel.idle(); // its `created` job, run at once, lists it
    return (await app.ctx.incidents.findById(card.recordId as string)) as IncidentDoc;
  }

  it('reports an incident: number, priority, group, SLA due times, audit event, channel card', async () => {
    const jamie = await buildActor(app, JAMIE);
    const result = await run(app, INCIDENT_IDS.report, jamie, reportInput({ impact: 'high', urgency: 'medium', configurationItem: 'vpn-gw-seoul' }));
    const confirmation = result.views[0] as NoticeView;
    expect(confirmation).toMatchObject({ kind: 'notice', tone: 'success' });
    expect(confirmation.text).toMatch(/^INC\d{7} is open: VPN drops every few minutes\. Priority P2; we respond by Tue 24 Nov 2026, 10:30 GMT\+9\.$/);

    const incident = (await app.ctx.incidents.findById(confirmation.text.slice(0, 10))) as IncidentDoc;
    expect(incident).toMatchObject({
      priority: 'P2',
      state: 'new',
      assignmentGroup: 'service-desk',
      requesterId: 'email:jamie.song@example.com',
      configurationItem: 'vpn-gw-seoul',
      version: 1,
    });
    // P2 on the Seoul office calendar: respond in 30 min, resolve in 8 business hours (18:00 today).
    expect(incident.sla.responseDueAt).toEqual(new Date('2026-11-24T10:30:00+09:00'));
    expect(incident.sla.resolutionDueAt).toEqual(new Date('2026-11-24T18:00:00+09:00'));

    const events = await database.models.AuditEvent.find({ recordId: incident._id }).lean();
    expect(events).toEqual([expect.objectContaining({ seq: 1, action: 'create', actorName: 'Jamie Song' })]);

    expect(result.announcements).toEqual([
      expect.objectContaining({ reason: 'incident.create', audience: { kind: 'channel', service: 'vpn' } }),
    ]);
    expect(result.announcements[0]?.view.threadLine).toBe('Jamie Song reported the incident.');
  });

  it('numbers 50 concurrent reports with 50 distinct consecutive numbers', async () => {
    const jamie = await buildActor(app, JAMIE);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => run(app, INCIDENT_IDS.report, jamie, reportInput({ summary: `Concurrent ${i}` }))));
    const seqs = results.map((r) => Number(cardOf(r).recordId?.slice(3))).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(50);
    expect(seqs[49]! - seqs[0]!).toBe(49);
    const events = await database.models.AuditEvent.countDocuments({ action: 'create', recordNumber: { $in: results.map((r) => cardOf(r).recordId as string) } });
    expect(events).toBe(50);
  });

  it('refuses bad input field by field and stores nothing', async () => {
    const jamie = await buildActor(app, JAMIE);
    const before = await database.models.Incident.countDocuments();
    const result = await run(app, INCIDENT_IDS.report, jamie, { summary: '', service: 'vpn', impact: 'huge', description: 'x'.repeat(3001) });
    expect(errorOf(result).fieldErrors).toEqual({
      summary: 'This field is required.',
      impact: 'Please choose one of the options.',
      urgency: 'This field is required.',
      description: 'Please keep this under 3000 characters.',
    });
    const unknownService = await run(app, INCIDENT_IDS.report, jamie, reportInput({ service: 'payroll' }));
    expect(errorOf(unknownService)).toMatchObject({ text: 'There is no service "payroll".', fieldErrors: { service: 'There is no service "payroll".' } });
    const wrongCi = await run(app, INCIDENT_IDS.report, jamie, reportInput({ configurationItem: 'exchange-01' }));
    expect(errorOf(wrongCi).fieldErrors).toHaveProperty('configurationItem');
    expect(await database.models.Incident.countDocuments()).toBe(before);
  });

  it('creates one incident for a retried report with the same dedupe key, also when both arrive at once', async () => {
    const jamie = await buildActor(app, JAMIE);
    const input = reportInput({ dedupeKey: 'slack:view:V123' });
    const [a, b] = await Promise.all([run(app, INCIDENT_IDS.report, jamie, input), run(app, INCIDENT_IDS.report, jamie, input)]);
    const again = await run(app, INCIDENT_IDS.report, jamie, input);
    expect(await database.models.Incident.countDocuments({ dedupeKey: 'slack:view:V123' })).toBe(1);
    const texts = [a, b, again].map((r) => (r.views[0] as NoticeView).text);
    expect(texts.filter((t) => t.startsWith('This was already reported as INC'))).toHaveLength(2);
  });

  it('works an incident from New to Closed, with durations and an audit event per change', async () => {
    const incident = await report();
    const id = incident._id;
    const minji = await buildActor(app, MINJI);
    const jamie = await buildActor(app, JAMIE);

    clock.advanceMinutes(12);
    const acked = cardOf(await run(app, INCIDENT_IDS.ack, minji, { recordId: id }));
    // Minji reads Korean.
    expect(field(acked, '상태')).toBe('진행 중');
    expect(field(acked, '담당자')).toBe('Minji Kim');
    expect(acked.threadLine).toBe('Minji Kim 님이 장애를 확인했습니다.');

    clock.advanceMinutes(30);
    const held = await run(app, INCIDENT_IDS.hold, minji, { recordId: id, reason: 'awaiting_caller' });
    expect(field(cardOf(held), '해결 기한')).toBe('일시 중지(보류 중)');

    clock.advanceMinutes(120); // two business hours on hold: not counted
    await run(app, INCIDENT_IDS.resume, minji, { recordId: id });
    clock.advanceMinutes(60);
    const resolved = await run(app, INCIDENT_IDS.resolve, minji, { recordId: id, code: 'solved_permanently', notes: 'Replaced the VPN profile.' });
    expect(field(cardOf(resolved), '상태')).toBe('해결됨');

    const closed = await run(app, INCIDENT_IDS.close, jamie, { recordId: id });
    expect(field(cardOf(closed), 'State')).toBe('Closed');

    const stored = (await app.ctx.incidents.findById(id)) as IncidentDoc;
    expect(stored.durations).toMatchObject({
      acknowledgeWallMinutes: 12,
      acknowledgeBusinessMinutes: 12,
      resolveWallMinutes: 102,
      resolveBusinessMinutes: 102,
      responseBreached: false,
      resolutionBreached: false,
    });
    const actions = (await database.models.AuditEvent.find({ recordId: id }).sort({ seq: 1 }).lean()).map((e) => `${e.seq}:${e.action}`);
    expect(actions).toEqual(['1:create', '2:acknowledge', '3:hold', '4:resume', '5:resolve', '6:close']);
    expect(stored.version).toBe(6);
  });

  it('recomputes priority and SLA when impact and urgency change, keeping the clock start', async () => {
    const incident = await report({ impact: 'low', urgency: 'low' });
    const sam = await buildActor(app, SAM);
    expect(incident.priority).toBe('P4');
    const card = cardOf(await run(app, INCIDENT_IDS.priority, sam, { recordId: incident._id, impact: 'high', urgency: 'high' }));
    expect(card.threadLine).toBe('Sam Lee 님이 우선순위를 P4에서 P1(으)로 바꿨습니다.');
    const stored = (await app.ctx.incidents.findById(incident._id)) as IncidentDoc;
    expect(stored).toMatchObject({ priority: 'P1', majorIncident: true });
    // P1 runs around the clock: 15 min to respond, 2 h to resolve from the original report.
    expect(stored.sla.startedAt).toEqual(incident.sla.startedAt);
    expect(stored.sla.resolutionDueAt).toEqual(new Date(incident.sla.startedAt.getTime() + 120 * 60_000));
  });

  it('assigns to a group member, refuses someone outside the group, and lets an agent take it', async () => {
    const incident = await report();
    const id = incident._id;
    const minji = await buildActor(app, MINJI);
    const alex = await buildActor(app, ALEX);

    const toSam = cardOf(await run(app, INCIDENT_IDS.assign, minji, { recordId: id, assignee: SAM }));
    expect(field(toSam, '담당자')).toBe('Sam Lee');
    const outsider = errorOf(await run(app, INCIDENT_IDS.assign, minji, { recordId: id, assignee: ALEX }));
    expect(outsider.text).toBe('Alex Park 님은 Service Desk 그룹의 구성원이 아닙니다.');

    // Taking it (a card's click) reads the incident once: the read it is decided on is the one it changes.
    const reads = jest.spyOn(app.ctx.incidents, 'findById');
    const taken = cardOf(await run(app, INCIDENT_IDS.assignToMe, alex, { recordId: id }));
    expect(reads).toHaveBeenCalledTimes(1);
    reads.mockRestore();
    expect(field(taken, 'Assignee')).toBe('Alex Park');
    expect(field(taken, 'Group')).toBe('Messaging Platform');
    expect(field(taken, 'State')).toBe('In progress');
  });

  it('refuses what the actor may not do, tells them why, and audits the refusal', async () => {
    const incident = await report({}, MINJI);
    const id = incident._id;
    const jamie = await buildActor(app, JAMIE);
    const sam = await buildActor(app, SAM);
    const alex = await buildActor(app, ALEX);

    expect(errorOf(await run(app, INCIDENT_IDS.ack, jamie, { recordId: id })).text).toBe('You are not allowed to do that.');
    expect(errorOf(await run(app, INCIDENT_IDS.close, alex, { recordId: id })).text).toBe('That cannot be done while the record is New.');
    expect(errorOf(await run(app, INCIDENT_IDS.reopen, sam, { recordId: id, reason: 'x' })).text).toBe('레코드가 신규 상태일 때는 할 수 없습니다.');
    expect(errorOf(await run(app, INCIDENT_IDS.queue, jamie, {})).text).toBe('This needs the agent role.');

    const refusals = await database.models.AuditEvent.find({ recordId: id, seq: 0 }).lean();
    expect(refusals.map((r) => `${r.action} by ${r.actorName}: ${String(r.after.reason)}`).sort()).toEqual([
      'acknowledge.refused by Jamie Song: TRANSITION.FORBIDDEN',
      'close.refused by Alex Park: TRANSITION.NOT_FROM_STATE',
      'reopen.refused by Sam Lee: TRANSITION.NOT_FROM_STATE',
    ]);
    const stored = (await app.ctx.incidents.findById(id)) as IncidentDoc;
    expect(stored.version).toBe(1);
  });

  it('lets the requester reopen a resolved incident with a reason, and comment', async () => {
    const incident = await report();
    const id = incident._id;
    const sam = await buildActor(app, SAM);
    const jamie = await buildActor(app, JAMIE);
    await run(app, INCIDENT_IDS.resolve, sam, { recordId: id, code: 'user_error', notes: 'Wrong password.' });
    const missing = errorOf(await run(app, INCIDENT_IDS.reopen, jamie, { recordId: id, reason: ' ' }));
    expect(missing.fieldErrors).toEqual({ reason: 'This field is required.' });
    const reopened = cardOf(await run(app, INCIDENT_IDS.reopen, jamie, { recordId: id, reason: 'Still disconnects.' }));
    expect(reopened.threadLine).toBe('Jamie Song reopened the incident: Still disconnects..');
    await run(app, INCIDENT_IDS.comment, jamie, { recordId: id, text: 'It happens on Wi-Fi only.' });
    const stored = (await app.ctx.incidents.findById(id)) as IncidentDoc;
    expect(stored).toMatchObject({ state: 'in_progress', reopenCount: 1, resolutionCode: null });
    expect(stored.comments.map((c) => c.text)).toEqual(['Still disconnects.', 'It happens on Wi-Fi only.']);
  });

  it('lists my incidents and my groups\' queue, and shows one by number', async () => {
    const incident = await report({ summary: 'Printer on floor 3 jams', impact: 'high', urgency: 'high' });
    const jamie = await buildActor(app, JAMIE);
    const sam = await buildActor(app, SAM);
    const taylor = await buildActor(app, TAYLOR);
    const mine = (await run(app, INCIDENT_IDS.mine, jamie, {})).views[0] as ListView;
    expect(mine.items.map((i) => i.title)).toContain(`${incident.number}: Printer on floor 3 jams`);
    const queue = (await run(app, INCIDENT_IDS.queue, sam, {})).views[0] as ListView;
    expect(queue.items.map((i) => i.title)).toContain(`${incident.number}: Printer on floor 3 jams`);
    // Taylor (admin, New York) reads due times in New York time.
    const shown = cardOf(await run(app, INCIDENT_IDS.show, taylor, { recordId: incident.number }));
    expect(field(shown, 'Respond by')).toMatch(/GMT-5$/);
    expect(errorOf(await run(app, INCIDENT_IDS.show, jamie, { recordId: 'INC9999999' })).text).toBe('There is no incident INC9999999.');
  });

  it('offers forms with the record id and the allowed choices', async () => {
    const incident = await report();
    const sam = await buildActor(app, SAM);
    const form = (await run(app, INCIDENT_IDS.resolveForm, sam, { recordId: incident._id })).views[0] as FormView;
    expect(form).toMatchObject({ kind: 'form', submitId: INCIDENT_IDS.resolve, recordId: incident._id });
    expect(form.fields.map((f) => f.id)).toEqual(['code', 'notes']);
    const report2 = (await run(app, INCIDENT_IDS.reportForm, sam, { text: 'Mail is down\nOutlook says disconnected since 9:00' })).views[0] as FormView;
    expect(report2.fields.find((f) => f.id === 'summary')?.initial).toBe('Mail is down');
    expect(report2.fields.find((f) => f.id === 'description')?.initial).toBe('Mail is down\nOutlook says disconnected since 9:00');
  });

  it('lets exactly one of two agents acknowledging at the same instant win, and tells the other who did', async () => {
    for (let round = 0; round < 5; round++) {
      const incident = await report();
      const id = incident._id;
      const [minji, sam] = await Promise.all([buildActor(app, MINJI), buildActor(app, SAM)]);
      const results = await Promise.all([run(app, INCIDENT_IDS.ack, minji, { recordId: id }), run(app, INCIDENT_IDS.ack, sam, { recordId: id })]);
      const winners = results.filter((r) => r.views[0]?.kind === 'card');
      expect(winners).toHaveLength(1);
      const stored = (await app.ctx.incidents.findById(id)) as IncidentDoc;
      const loser = results.find((r) => r.views[0]?.kind === 'notice');
      const loserText = (loser?.views[0] as NoticeView).text;
      expect([`${stored.acknowledgedByName} already acknowledged ${stored.number}.`, `${stored.acknowledgedByName} 님이 이미 ${stored.number}을(를) 확인했습니다.`]).toContain(loserText);
      expect(await database.models.AuditEvent.countDocuments({ recordId: id, action: 'acknowledge' })).toBe(1);
      expect(stored.version).toBe(2);
    }
  });

  it('shows the card with the actions its state allows', async () => {
    const incident = await report();
    const sam = await buildActor(app, SAM);
    const card: CardView = cardOf(await run(app, INCIDENT_IDS.show, sam, { recordId: incident.number }));
    expect(card.actions.map((a) => a.actionId)).toEqual([
      INCIDENT_IDS.ack, INCIDENT_IDS.assignToMe, INCIDENT_IDS.assignForm, INCIDENT_IDS.resolveForm, INCIDENT_IDS.holdForm, INCIDENT_IDS.comment, INCIDENT_IDS.priority,
    ]);
    expect(card.actions.every((a) => a.recordId === incident._id)).toBe(true);
    expect(card.version).toBe(incident.version);
  });

  it("a person's card holds only the actions that person may take; the channel's holds all the state allows", async () => {
    const incident = await report();
    const jamie = await buildActor(app, JAMIE);
    const own = cardOf(await run(app, INCIDENT_IDS.show, jamie, { recordId: incident.number }));
    // The requester of a new incident may comment on it, nothing else.
    expect(own.actions.map((a) => a.actionId)).toEqual([INCIDENT_IDS.comment]);
    const { announcements } = await run(app, INCIDENT_IDS.comment, jamie, { recordId: incident.number, text: 'Still down here.' });
    expect(announcements[0]!.view.actions.map((a) => a.actionId)).toContain(INCIDENT_IDS.ack);
  });

  it('a click on a card older than the record changes nothing and answers with the current card', async () => {
    const incident = await report();
    const sam = await buildActor(app, SAM);
    const jamie = await buildActor(app, JAMIE);
    await run(app, INCIDENT_IDS.comment, jamie, { recordId: incident.number, text: 'Any news?' });
    const answer = await run(app, INCIDENT_IDS.ack, sam, { recordId: incident.number, cardVersion: incident.version });
    expect(answer.announcements).toEqual([]);
    expect(answer.views[0]).toMatchObject({ kind: 'notice', tone: 'error' });
    expect(cardOf(answer).version).toBe(incident.version + 1);
    expect((await app.ctx.incidents.findById(incident._id))!.state).toBe('new');
    // The same click on the current card acknowledges.
    const current = await run(app, INCIDENT_IDS.ack, sam, { recordId: incident.number, cardVersion: incident.version + 1 });
    expect(current.views.some((v) => v.kind === 'notice' && v.tone === 'error')).toBe(false);
    expect((await app.ctx.incidents.findById(incident._id))!.state).toBe('in_progress');
  });

  it('one visibility rule: status shows an employee an urgent incident they did not report as on a status page, an agent in full', async () => {
    const incident = await report({ impact: 'high', urgency: 'high', description: 'Payroll export leaks salaries to the VPN logs.' });
    const urgentOf = async (email: string) => {
      const views = (await run(app, INCIDENT_IDS.status, await buildActor(app, email), {})).views;
      return (views[1] as ListView).items.find((item) => item.recordId === incident._id)!;
    };
    const asEmployee = await urgentOf('noa.newcomer@example.com');
    expect(asEmployee.text).toBeUndefined();
    expect(asEmployee.context).toBeUndefined();
    expect(asEmployee.actions).toEqual([]);
    expect(asEmployee.fields.map((f) => f.value)).toEqual(['P1', 'New', 'Remote access (VPN)']);
    // /itsm show says the same: nothing to see.
    expect(errorOf(await run(app, INCIDENT_IDS.show, await buildActor(app, 'noa.newcomer@example.com'), { recordId: incident._id })).text).toContain('There is no incident');
    const asAgent = await urgentOf(SAM);
    expect(asAgent.text).toBe('Payroll export leaks salaries to the VPN logs.');
    expect(asAgent.context?.join(' ')).toContain('Jamie Song');
    // The requester sees their own in full.
    expect((await urgentOf(JAMIE)).text).toBe('Payroll export leaks salaries to the VPN logs.');
  });

  it('tells the requester their incident is resolved, in their language, with Reopen and a rating only they may give', async () => {
    const incident = await report({}, MINJI);
    const sam = await buildActor(app, SAM);
    const resolved = await run(app, INCIDENT_IDS.resolve, sam, { recordId: incident._id, code: 'solved_workaround', notes: 'Restarted the gateway.' });
    const told = resolved.announcements.find((a) => a.audience.kind === 'person')!;
    expect(told.audience).toEqual({ kind: 'person', personId: incident.requesterId });
    // Minji reads Korean.
    expect(told.view.text).toContain('해결되었습니다');
    expect(told.view.text).toContain('Restarted the gateway.');
    expect(told.view.actions.map((a) => `${a.actionId}${a.value ? `:${a.value}` : ''}`)).toEqual([
      INCIDENT_IDS.reopenForm, `${INCIDENT_IDS.rate}:1`, `${INCIDENT_IDS.rate}:2`, `${INCIDENT_IDS.rate}:3`, `${INCIDENT_IDS.rate}:4`, `${INCIDENT_IDS.rate}:5`,
    ]);
    expect(errorOf(await run(app, INCIDENT_IDS.rate, sam, { recordId: incident._id, rating: 5 })).text).toMatch(/not allowed|권한/);
    await run(app, INCIDENT_IDS.rate, await buildActor(app, MINJI), { recordId: incident._id, rating: 2 });
    expect((await app.ctx.incidents.findById(incident._id))!.satisfaction?.rating).toBe(2);
    // Resolving one's own report tells nobody else.
    const own = await report({}, SAM);
    const selfResolved = await run(app, INCIDENT_IDS.resolve, sam, { recordId: own._id, code: 'user_error', notes: 'My cable.' });
    expect(selfResolved.announcements.filter((a) => a.audience.kind === 'person')).toEqual([]);
  });

  it('a hold comment is kept with the record and in its audit trail, and the thread says it', async () => {
    const incident = await report();
    const sam = await buildActor(app, SAM);
    const held = await run(app, INCIDENT_IDS.hold, sam, { recordId: incident.number, reason: 'awaiting_vendor', comment: 'Vendor ticket 4711 opened.' });
    const stored = (await app.ctx.incidents.findById(incident._id))!;
    expect(stored.comments.map((c) => c.text)).toEqual(['Vendor ticket 4711 opened.']);
    const audit = await app.database.models.AuditEvent.find({ recordId: incident._id, action: 'hold' }).lean();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.after).toMatchObject({ holdReason: 'awaiting_vendor', comment: 'Vendor ticket 4711 opened.' });
    expect(held.announcements[0]!.view.threadLine).toContain('Vendor ticket 4711 opened.');
  });
});
