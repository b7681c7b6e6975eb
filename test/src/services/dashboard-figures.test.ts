import type { HandlerResult } from '../../../handlers/handler';
import type { App } from '../../../src/app';
import type { Database } from '../../../src/db/connect';
import type { IncidentDoc } from '../../../src/models/incident.model';
import { DashboardFigures, type DailyIncidentFigures, type DashboardData } from '../../../src/services/dashboard-figures';
import { CHANGE_IDS } from '../../../src/views/change-actions';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import { REQUEST_IDS } from '../../../src/views/request-actions';
import { ALEX, JAMIE, SAM, TestClock, buildActor, buildApp, cardOf, reportInput, run } from '../../support/factories';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

const JORDAN = 'jordan.choi@example.com'; // CAB member
const ROBIN = 'robin.han@example.com'; // CAB member, Jamie's manager
const SEOUL = 'Asia/Seoul';

const P1 = { impact: 'high', urgency: 'high' };
const P2 = { impact: 'high', urgency: 'medium' };
const P3 = {}; // medium × medium

/** Thirty days of zeros from `first`, with the days given set. */
function days(first: string, set: Record<string, Partial<DailyIncidentFigures>>): DailyIncidentFigures[] {
  return Array.from({ length: 30 }, (_, i) => {
    const day = new Date(Date.parse(`${first}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10);
    return { day, opened: 0, resolved: 0, slaMet: 0, slaBreached: 0, mttaMinutes: null, mttrMinutes: null, ...set[day] };
  });
}

const closedLongAgo = (n: number): IncidentDoc =>
  ({
    _id: `INC8${String(n).padStart(6, '0')}`,
    number: `INC8${String(n).padStart(6, '0')}`,
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
    dedupeKey: `history:${n}`,
    acknowledgedAt: new Date('2025-03-01T01:10:00Z'),
    resolvedAt: new Date('2025-03-01T02:00:00Z'),
    reopenCount: 0,
    sla: { startedAt: new Date('2025-03-01T01:00:00Z'), respondMinutes: 240, resolveMinutes: 4320, calendarKey: 'seoul-office', responseDueAt: null, resolutionDueAt: null, pauses: [] },
    durations: { resolutionBreached: false },
    comments: [],
    version: 4,
    auditHead: 'x',
    createdAt: new Date('2025-03-01T01:00:00Z'),
    updatedAt: new Date('2025-03-01T02:00:00Z'),
  }) as unknown as IncidentDoc;

describe('the dashboard figures (real database)', () => {
  let database: Database;
  let app: App;
  const clock = new TestClock(new Date('2026-10-01T10:00:00+09:00'));
  const numbers: Record<string, string> = {};
  let figures: DashboardFigures;

  const succeeded = (result: HandlerResult): HandlerResult => {
    const error = result.views.find((v) => v.kind === 'notice' && v.tone === 'error');
    if (error) throw new Error(`refused: ${JSON.stringify(error)}`);
    return result;
  };
  const at = async (seoulTime: string, work: () => Promise<unknown>) => {
    clock.set(`${seoulTime}+09:00`);
    await work();
    await app.jobs.wheel.idle();
  };
  const report = (name: string, priority: Record<string, string>, service = 'vpn') => async () => {
    const answer = succeeded(await run(app, INCIDENT_IDS.report, await buildActor(app, JAMIE), reportInput({ summary: `Incident ${name}`, service, ...priority })));
    numbers[name] = cardOf(answer).recordId as string;
  };
  const act = (actionId: string, name: string, extra: Record<string, unknown> = {}) => async () =>
    succeeded(await run(app, actionId, await buildActor(app, SAM), { recordId: numbers[name], ...extra }));
  const resolve = (name: string) => act(INCIDENT_IDS.resolve, name, { code: 'solved_permanently', notes: 'Fixed.' });
  const submitRequest = (name: string, item: string, answers: Record<string, string>) => async () => {
    numbers[name] = cardOf(succeeded(await run(app, REQUEST_IDS.submit, await buildActor(app, JAMIE), { item, answers }))).recordId as string;
  };
  const submitChange = (name: string, risk: string, day: string) => async () => {
    const rfc = {
      title: `Change ${name}`,
      type: 'normal',
      risk,
      service: 'email',
      configurationItem: 'exchange-01',
      windowStart: `${day}T22:00:00+09:00`,
      windowEnd: `${day}T23:00:00+09:00`,
      plan: 'Patch.',
      backoutPlan: 'Unpatch.',
    };
    numbers[name] = cardOf(succeeded(await run(app, CHANGE_IDS.submit, await buildActor(app, ALEX), rfc))).recordId as string;
  };
  const vote = (actionId: string, email: string, name: string) => async () => succeeded(await run(app, actionId, await buildActor(app, email), { recordId: numbers[name] }));

  beforeAll(async () => {
    database = await openTestDatabase('dashboard_figures', { monitorCommands: true });
    app = await buildApp(database, clock);
    figures = new DashboardFigures(database.models, app.ctx.catalog, clock.now);
    // Seoul times, in order. A: before the 30 days altogether.
    await at('2026-10-01T10:00', report('A', P3));
    await at('2026-10-01T11:00', resolve('A'));
    // B: opened before the window, resolved in it (P3: 3 business days, met).
    await at('2026-10-20T10:00', report('B', P3));
    await at('2026-10-20T10:20', act(INCIDENT_IDS.ack, 'B'));
    // C: opened 30 minutes before the window's first Seoul day, acknowledged and resolved in it (P1: 2 h, met).
    await at('2026-10-25T23:30', report('C', P1));
    await at('2026-10-26T00:30', act(INCIDENT_IDS.ack, 'C'));
    // D: resolved without an acknowledgement (resolving acknowledges), 15 minutes past its 2 h.
    await at('2026-10-26T00:30', report('D', P1));
    await at('2026-10-26T01:00', resolve('C'));
    await at('2026-10-26T02:45', resolve('D'));
    await at('2026-10-27T10:00', resolve('B'));
    // E: opened late on Sunday in Seoul, acknowledged after midnight (still Sunday in UTC), resolved late.
    await at('2026-11-22T23:50', report('E', P1));
    await at('2026-11-23T00:10', act(INCIDENT_IDS.ack, 'E'));
    await at('2026-11-23T03:50', resolve('E'));
    // H: on hold (its resolution clock paused); I: in progress. H opens at midnight UTC exactly.
    await at('2026-11-23T09:00', report('H', P3));
    await at('2026-11-23T09:10', act(INCIDENT_IDS.ack, 'H'));
    await at('2026-11-23T09:20', act(INCIDENT_IDS.hold, 'H', { reason: 'awaiting_vendor' }));
    await at('2026-11-23T14:00', report('I', P3));
    await at('2026-11-23T14:30', act(INCIDENT_IDS.ack, 'I'));
    // Today, Tuesday 24 November: changes and requests waiting on approvers, and two new incidents.
    await at('2026-11-24T08:00', submitChange('CHG1', 'medium', '2026-11-28')); // the CAB, two of them
    await at('2026-11-24T08:10', submitChange('CHG2', 'low', '2026-11-29')); // the CAB, any one
    await at('2026-11-24T08:30', vote(CHANGE_IDS.approve, JORDAN, 'CHG1'));
    await at('2026-11-24T08:40', vote(CHANGE_IDS.approve, ROBIN, 'CHG2'));
    await at('2026-11-24T09:00', submitRequest('R1', 'access', { system: 'radius', level: 'read' })); // P3, Jamie's manager
    await at('2026-11-24T09:10', submitRequest('R2', 'software', { product: 'Figma' })); // P4, the CAB
    await at('2026-11-24T09:20', vote(REQUEST_IDS.approve, JORDAN, 'R2'));
    await at('2026-11-24T09:25', submitRequest('R3', 'laptop', { model: 'MacBook Pro 14', cost: '1,800,000', reason: 'Broken.' }));
    await at('2026-11-24T09:30', report('F', P1));
    await at('2026-11-24T09:40', submitRequest('R4', 'software', { product: 'Miro' }));
    await at('2026-11-24T09:50', report('G', P2));
    clock.set('2026-11-24T10:00:00+09:00');
  });
  afterAll(() => dropTestDatabase(database));

  it("counts each day's incidents in the viewer's time zone: opened, resolved, SLA met or breached, MTTA and MTTR", async () => {
    const seoul = await figures.read({ locale: 'ko', timeZone: SEOUL });
    expect(seoul.timeZone).toBe(SEOUL);
    expect(seoul.daily).toEqual(
      days('2026-10-26', {
        // C acknowledged after 60 min and resolved after 90; D acknowledged and resolved (late) after 135.
        '2026-10-26': { opened: 1, resolved: 2, slaMet: 1, slaBreached: 1, mttaMinutes: 97.5, mttrMinutes: 112.5 },
        '2026-10-27': { resolved: 1, slaMet: 1, mttrMinutes: 7 * 24 * 60 },
        '2026-11-22': { opened: 1 },
        '2026-11-23': { opened: 2, resolved: 1, slaBreached: 1, mttaMinutes: 20, mttrMinutes: 240 },
        '2026-11-24': { opened: 2 },
      }),
    );
  });

  it('moves the day boundary with the zone: the same incidents read in UTC', async () => {
    const utc = await figures.read({ locale: 'en', timeZone: 'UTC' });
    const byDay = new Map(utc.daily.map((d) => [d.day, d]));
    expect(utc.daily[0]?.day).toBe('2026-10-26');
    expect(utc.daily.at(-1)?.day).toBe('2026-11-24');
    // C and D happened on 25 October in UTC: before the window.
    expect(byDay.get('2026-10-26')).toEqual({ day: '2026-10-26', opened: 0, resolved: 0, slaMet: 0, slaBreached: 0, mttaMinutes: null, mttrMinutes: null });
    // E is opened, acknowledged and resolved on Sunday in UTC.
    expect(byDay.get('2026-11-22')).toEqual({ day: '2026-11-22', opened: 1, resolved: 1, slaMet: 0, slaBreached: 1, mttaMinutes: 20, mttrMinutes: 240 });
    // H opened at 00:00 UTC sharp belongs to Monday.
    expect(byDay.get('2026-11-23')).toEqual({ day: '2026-11-23', opened: 2, resolved: 0, slaMet: 0, slaBreached: 0, mttaMinutes: 20, mttrMinutes: null });
    // A time zone nobody knows falls back to the company's (the example's Asia/Seoul).
    expect((await figures.read({ locale: 'en', timeZone: 'Mars/Olympus' })).timeZone).toBe(SEOUL);
  });

  it('counts what is open: incidents by priority and state, requests and changes by state', async () => {
    const { open } = await figures.read({ locale: 'en', timeZone: SEOUL });
    expect(open).toEqual({
      incidents: { total: 4, byPriority: { P1: 1, P2: 1, P3: 2, P4: 0 }, byState: { new: 2, in_progress: 1, on_hold: 1 } },
      requests: { total: 4, byState: { awaiting_approval: 3, in_fulfilment: 1 } },
      changes: { total: 2, byState: { assessment: 1, scheduled: 1, implementing: 0, review: 0 } },
    });
  });

  it('lists the running SLA clocks soonest due first, a breached one negative, a held incident left out', async () => {
    const { atRisk } = await figures.read({ locale: 'en', timeZone: SEOUL });
    const seoul = (local: string) => new Date(`${local}+09:00`).toISOString();
    expect(atRisk).toEqual([
      // P1: respond within 15 minutes, around the clock.
      { number: numbers.F, title: 'Incident F', kind: 'incident', priority: 'P1', clock: 'respond', dueAt: seoul('2026-11-24T09:45:00'), minutesLeft: -15 },
      // P2: 30 business minutes.
      { number: numbers.G, title: 'Incident G', kind: 'incident', priority: 'P2', clock: 'respond', dueAt: seoul('2026-11-24T10:20:00'), minutesLeft: 20 },
      // Access (P3): respond within 4 business hours.
      { number: numbers.R1, title: 'Access to a system', kind: 'request', priority: 'P3', clock: 'respond', dueAt: seoul('2026-11-24T13:00:00'), minutesLeft: 180 },
      // Software, approved (its response): fulfilled within 18 business hours.
      { number: numbers.R2, title: 'Software licence', kind: 'request', priority: 'P4', clock: 'resolve', dueAt: seoul('2026-11-26T09:10:00'), minutesLeft: 2830 },
      // Software, waiting: its 18 hours to fulfil end before its day (1,440 business minutes) to respond.
      { number: numbers.R4, title: 'Software licence', kind: 'request', priority: 'P4', clock: 'resolve', dueAt: seoul('2026-11-26T09:40:00'), minutesLeft: 2860 },
      // The laptop (P4): respond within a day of business minutes; fulfil within 45 business hours.
      { number: numbers.R3, title: 'New laptop', kind: 'request', priority: 'P4', clock: 'respond', dueAt: seoul('2026-11-26T15:25:00'), minutesLeft: 3205 },
      // I (P3, acknowledged): resolve within 3 days of business minutes (4,320).
      { number: numbers.I, title: 'Incident I', kind: 'incident', priority: 'P3', clock: 'resolve', dueAt: seoul('2026-12-03T14:00:00'), minutesLeft: 13200 },
    ]);
  });

  it('lists what waits on approval, longest first, with the approvers yet to vote', async () => {
    const { awaitingApproval } = await figures.read({ locale: 'en', timeZone: SEOUL });
    const seoul = (local: string) => new Date(`${local}+09:00`).toISOString();
    expect(awaitingApproval).toEqual([
      // Jordan approved; the second of two must come from Robin.
      { number: numbers.CHG1, title: 'Change CHG1', kind: 'change', waitingOn: ['Robin Han'], since: seoul('2026-11-24T08:00:00') },
      { number: numbers.R1, title: 'Access to a system', kind: 'request', waitingOn: ['Robin Han'], since: seoul('2026-11-24T09:00:00') },
      { number: numbers.R3, title: 'New laptop', kind: 'request', waitingOn: ['Robin Han'], since: seoul('2026-11-24T09:25:00') },
      { number: numbers.R4, title: 'Software licence', kind: 'request', waitingOn: ['Jordan Choi', 'Robin Han'], since: seoul('2026-11-24T09:40:00') },
    ]);
  });

  it('names who is on call now for each group with a schedule', async () => {
    const { onCallNow } = await figures.read({ locale: 'en', timeZone: SEOUL });
    // Week 46 of the desk's weekly rota (Minji first); day 323 of the daily messaging rota (Alex first).
    expect(onCallNow).toEqual([
      { group: 'service-desk', groupName: 'Service Desk', people: ['Minji Kim'] },
      { group: 'messaging', groupName: 'Messaging Platform', people: ['Sam Lee'] },
    ]);
  });

  it('asks for the window only: the same figures and the same commands with 600 incidents closed long ago', async () => {
    const seen: { collection: string; filter: unknown; projection: unknown }[] = [];
    const client = database.connection.getClient();
    const listener = (event: { databaseName: string; commandName: string; command: Record<string, unknown> }) => {
      if (event.databaseName !== database.connection.name) return;
      seen.push({ collection: String(event.command[event.commandName]), filter: event.command.filter, projection: event.command.projection });
    };
    const read = async (): Promise<{ data: DashboardData; commands: typeof seen }> => {
      seen.length = 0;
      client.on('commandStarted', listener);
      try {
        const data = await figures.read({ locale: 'en', timeZone: SEOUL });
        return { data, commands: [...seen] };
      } finally {
        client.off('commandStarted', listener);
      }
    };
    await read(); // the lists as this reader keeps them
    const few = await read();
    await database.models.Incident.insertMany(Array.from({ length: 600 }, (_, i) => closedLongAgo(i)));
    const many = await read();

    expect({ ...many.data, generatedAt: '' }).toEqual({ ...few.data, generatedAt: '' });
    expect(many.commands.length).toBe(few.commands.length);
    // One `_id`, or a list of them (read through the index on `_id`).
    const byId = many.commands.filter((c) => {
      const id = (c.filter as { _id?: unknown } | undefined)?._id;
      return typeof id === 'string' || (typeof id === 'object' && id !== null && Object.keys(id).join() === '$in');
    });
    const others = many.commands.filter((c) => !byId.includes(c));
    // Open incidents and requests, and the lists, by _id; open changes by state; incidents by the window only.
    expect(others.map((c) => c.collection).sort()).toEqual(['changes', 'incidents']);
    const window = { $gte: new Date('2026-10-25T15:00:00Z'), $lt: new Date('2026-11-24T15:00:00Z') };
    expect(others.find((c) => c.collection === 'incidents')).toEqual({
      collection: 'incidents',
      filter: { $or: [{ createdAt: window }, { acknowledgedAt: window }, { resolvedAt: window }] },
      projection: { _id: 0, createdAt: 1, acknowledgedAt: 1, resolvedAt: 1, 'durations.resolutionBreached': 1, 'sla.resolutionDueAt': 1 },
    });
    const incidentReads = byId.filter((c) => c.collection === 'incidents');
    // F, G, H and I, in one find.
    expect(incidentReads.map((c) => [...(c.filter as { _id: { $in: string[] } })._id.$in].sort())).toEqual([['INC0001006', 'INC0001007', 'INC0001008', 'INC0001009']]);
    for (const read of incidentReads) expect(Object.keys(read.projection as object).sort()).toEqual(['acknowledgedAt', 'priority', 'sla.resolutionDueAt', 'sla.responseDueAt', 'state', 'title']);
  });
});
