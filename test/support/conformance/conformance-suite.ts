import { usageLine } from '../../../handlers/commands';
import { dispatch } from '../../../handlers/dispatch';
import { PAGE_SIZE } from '../../../src/views/paged-list';
import { HandlerRegistry } from '../../../handlers/index';
import type { Database } from '../../../src/db/connect';
import { onCallAt } from '../../../src/domain/on-call';
import type { IncidentDoc } from '../../../src/models/incident.model';
import type { CardView } from '../../../src/views/view-model';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import { REQUEST_IDS } from '../../../src/views/request-actions';
import { CHANGE_IDS } from '../../../src/views/change-actions';
import { JAMIE, MINJI, SAM, TestClock } from '../factories';
import { runClockUntil } from '../job-clock';
import { eventually } from '../slack/slack-harness';
import { dropTestDatabase, openTestDatabase } from '../test-database';
import { spyOnHandlers, type HandlerRun } from './handler-spy';
import type { PlatformDriver, RenderedCard, RenderedForm } from './platform-driver';

/** The declarations every platform must honour: read once, so the titles name every entry point. */
const registry = new HandlerRegistry();
const CARD_ACTIONS = registry.idsWith('card');
const FORMS = registry.idsWith('form');
const SUGGESTIONS = registry.idsWith('suggest');
const COMMANDS = [...registry.commands.values()].flat();

interface Context {
  d: PlatformDriver;
  runs: HandlerRun[];
  incident(recordId: string): Promise<IncidentDoc>;
}

/** The next run of `handlerId` after `since` runs; fails with what the person was told if it never ran. */
async function nextRun(c: Context, handlerId: string, since: number, email: string): Promise<HandlerRun> {
  const told = c.d.toldPrivately(email).length;
  const found = () => c.runs.slice(since).find((r) => r.handlerId === handlerId);
  await eventually(() => found() !== undefined || c.d.toldPrivately(email).length > told, 10_000).catch(() => undefined);
  const run = found();
  if (!run) throw new Error(`${handlerId} did not run; the person was told: ${JSON.stringify(c.d.toldPrivately(email).slice(told))}`);
  return run;
}

/** The platform's card shows what the handler's view says: every field's value and exactly its actions. */
function showsView(card: RenderedCard | undefined, view: CardView): boolean {
  if (!card) return false;
  const values = view.fields.map((f) => f.value);
  return values.every((v) => card.text.includes(v)) && card.actions.map((a) => a.actionId).join() === view.actions.map((a) => a.actionId).join();
}

/** After a handler changed a record: its channel card shows the announced card, and the thread its line. */
async function expectAnnouncedCard(c: Context, run: HandlerRun, recordId: string): Promise<void> {
  // A record without a channel card (a service request) has a card of its own for each person on it: the actor's is checked.
  const forActor = run.result.announcements.find((a) => a.audience.kind === 'personCard' && a.audience.personId === `email:${run.actorEmail}`);
  const announced = run.result.announcements.find((a) => a.audience.kind === 'channel')?.view ?? forActor?.view;
  if (!announced) throw new Error(`${run.handlerId} announced no card for the channel or for the person`);
  const cardNow = () => (forActor && !run.result.announcements.some((a) => a.audience.kind === 'channel') ? c.d.personCard(recordId, run.actorEmail ?? "") : c.d.channelCard(recordId));
  await eventually(async () => showsView(await cardNow(), announced), 10_000).catch(() => undefined);
  const shown = await cardNow();
  // Said field by field, so that a failure names what the platform does not show.
  expect({ missing: announced.fields.map((f) => f.value).filter((v) => !shown?.text.includes(v)), actions: shown?.actions.map((a) => a.actionId) }).toEqual({
    missing: [],
    actions: announced.actions.map((a) => a.actionId),
  });
  if (announced.threadLine) {
    await eventually(async () => (await c.d.threadLines(recordId)).includes(announced.threadLine!), 10_000).catch(() => undefined);
    expect(await c.d.threadLines(recordId)).toContain(announced.threadLine);
  }
}

const REPORT_VALUES = { summary: 'VPN drops every few minutes', service: 'vpn', impact: 'high', urgency: 'medium', description: 'Since 9:00 & still.' };

/** Reports an incident the way a person does on the platform: the command, its form, a submission. */
async function reportOnPlatform(c: Context, values: Record<string, string | { suggest: string }> = REPORT_VALUES): Promise<string> {
  const since = c.runs.length;
  const { form } = await c.d.command('/incident VPN drops', JAMIE);
  if (!form) throw new Error('/incident opened no form');
  expect(await c.d.submit(form, values, JAMIE)).toEqual({});
  const run = await nextRun(c, INCIDENT_IDS.report, since, JAMIE);
  const recordId = run.result.announcements[0]!.recordId;
  await eventually(async () => (await c.d.channelCard(recordId)) !== undefined, 10_000);
  return recordId;
}

async function channelCardOf(c: Context, recordId: string): Promise<RenderedCard> {
  const card = await c.d.channelCard(recordId);
  if (!card) throw new Error(`no channel card for ${recordId}`);
  return card;
}

/** Clicks an action on the record's channel card and waits for its handler and the card's edit. */
async function clickOnPlatform(c: Context, recordId: string, actionId: string, email: string, choice?: string): Promise<HandlerRun> {
  const since = c.runs.length;
  await c.d.click(await channelCardOf(c, recordId), actionId, email, choice ? { choice } : {});
  const run = await nextRun(c, actionId, since, email);
  await expectAnnouncedCard(c, run, recordId);
  return run;
}

/** Opens a form from the record's card, fills and submits it, and waits for the handler and the card's edit. */
async function formOnPlatform(c: Context, recordId: string, openerId: string, email: string, values: Record<string, string | { suggest: string }>): Promise<HandlerRun> {
  const form = await openFromCard(c, recordId, openerId, email);
  const since = c.runs.length;
  expect(await c.d.submit(form, values, email)).toEqual({});
  const run = await nextRun(c, form.submitId, since, email);
  await expectAnnouncedCard(c, run, recordId);
  return run;
}

async function openFromCard(c: Context, recordId: string, openerId: string, email: string): Promise<RenderedForm> {
  const outcome = await c.d.click(await channelCardOf(c, recordId), openerId, email);
  await eventually(() => outcome.form !== undefined, 10_000).catch(() => undefined);
  if (!outcome.form) throw new Error(`${openerId} opened no form; the person was told: ${JSON.stringify(c.d.toldPrivately(email))}`);
  return outcome.form;
}

interface CardScenario {
  /** Brings a new incident, on the platform, to where the action shows; returns its number. */
  setup(c: Context): Promise<string>;
  /** The card the action is on: the channel's, or the escalation page a person got. */
  on?: (c: Context, recordId: string) => Promise<RenderedCard | undefined>;
  as: string | ((c: Context) => string);
  choice?: string;
  /** What the person types on the card with the click; the first is required. */
  inputs?: Record<string, string>;
  /** A form the click opens (its submit id), instead of a change. */
  opens?: string;
  then(c: Context, recordId: string, run: HandlerRun): Promise<void>;
}

const onCallNow = (c: Context) => onCallAt(c.d.app.ctx.catalog.onCallSchedules.get('desk-rota')!, c.d.clock.now()).person;

async function heldIncident(c: Context): Promise<string> {
  const id = await reportOnPlatform(c);
  await formOnPlatform(c, id, INCIDENT_IDS.holdForm, SAM, { reason: 'awaiting_vendor' });
  return id;
}

async function resolvedIncident(c: Context): Promise<string> {
  const id = await reportOnPlatform(c);
  await formOnPlatform(c, id, INCIDENT_IDS.resolveForm, SAM, { code: 'solved_workaround', notes: 'Restarted the gateway.' });
  return id;
}

/** Where each card action shows, who clicks it, and what must follow. A declared action without one fails the suite. */
/** At least a page and one more of open incidents reported by Sam (in Sam's groups' queue too). */
async function twoPagesOfIncidents(c: Context): Promise<string> {
  const sam = await c.d.app.ctx.people.actorFor({ platform: 'web', userId: SAM, email: SAM });
  const { total } = await c.d.app.ctx.incidents.reportedBy(sam.id, 0, PAGE_SIZE);
  for (let i = total; i <= PAGE_SIZE; i++) {
    await dispatch(c.d.app.ctx, c.d.app.registry, c.d.app.log, { handlerId: INCIDENT_IDS.report, actor: sam, input: { summary: `Paged ${i}`, service: 'vpn', impact: 'low', urgency: 'low', platform: 'web' } });
  }
  await c.d.app.jobs.wheel.idle(); // their `created` jobs, run at once, list them
  return '';
}

/** A list's next page, clicked on the list a command showed: the second page comes to the person. */
function nextPageScenario(command: string): CardScenario {
  return {
    setup: twoPagesOfIncidents,
    on: async (c) => (await c.d.command(command, SAM)).card,
    as: SAM,
    then: async (c, _id, run) => {
      const list = run.result.views[0];
      expect(list?.kind === 'list' && list.range).toMatch(new RegExp(`^${PAGE_SIZE + 1}–|중 ${PAGE_SIZE + 1}–`));
      await eventually(() => c.d.toldPrivately(SAM).some((text) => text.includes(`${PAGE_SIZE + 1}–`)), 10_000);
    },
  };
}

const ROBIN = 'robin.han@example.com'; // Jamie's manager
const LAPTOP = { model: 'ThinkPad X1 Carbon', cost: '1800000', reason: 'Mine no longer boots.' };

/** Jamie asks for a laptop on the platform (the command finds the one item, its form, a submission); its number. */
async function laptopRequested(c: Context): Promise<string> {
  const since = c.runs.length;
  const { form } = await c.d.command('/request laptop', JAMIE);
  if (!form) throw new Error('/request laptop opened no form');
  expect(await c.d.submit(form, LAPTOP, JAMIE)).toEqual({});
  const run = await nextRun(c, REQUEST_IDS.submit, since, JAMIE);
  const recordId = run.result.announcements[0]!.recordId;
  await eventually(async () => (await c.d.personCard(recordId, ROBIN)) !== undefined, 10_000);
  return recordId;
}

/** The laptop approved by Jamie's manager (their click on the platform), its first task open for the service desk. */
async function laptopApproved(c: Context): Promise<string> {
  const id = await laptopRequested(c);
  const since = c.runs.length;
  await c.d.click((await c.d.personCard(id, ROBIN))!, REQUEST_IDS.approve, ROBIN);
  await nextRun(c, REQUEST_IDS.approve, since, ROBIN);
  await eventually(async () => (await c.d.groupCard(id, 'service-desk')) !== undefined, 10_000);
  return id;
}

const requestOf = async (c: Context, id: string) => (await c.d.app.ctx.requests.findById(id))!;

/**
 * At least a page and one more of Sam's requests: laptops (waiting on Casey, Sam having no manager),
 * or software licences, approved by the CAB (`approved`: in the service desk's queue).
 */
function twoPagesOfRequests(item: 'laptop' | 'software', approved = false) {
  return async (c: Context): Promise<string> => {
    const { ctx, registry, log } = c.d.app;
    const sam = await ctx.people.actorFor({ platform: 'web', userId: SAM, email: SAM });
    const jordan = await ctx.people.actorFor({ platform: 'web', userId: 'jordan', email: 'jordan.choi@example.com' });
    const answers = item === 'laptop' ? LAPTOP : { product: 'Figma' };
    for (let i = 0; i <= PAGE_SIZE; i++) {
      const asked = await dispatch(ctx, registry, log, { handlerId: REQUEST_IDS.submit, actor: sam, input: { item, answers } });
      const recordId = asked.announcements[0]!.recordId;
      if (approved) await dispatch(ctx, registry, log, { handlerId: REQUEST_IDS.approve, actor: jordan, input: { recordId } });
    }
    return '';
  };
}

/** A list of requests' next page, clicked on the list a command showed. */
function nextPageOfRequests(command: string, item: 'laptop' | 'software', as: string, approved = false): CardScenario {
  return {
    setup: twoPagesOfRequests(item, approved),
    on: async (c) => (await c.d.command(command, as)).card,
    as,
    then: async (c, _id, run) => {
      const list = run.result.views[0];
      expect(list?.kind === 'list' && list.range).toMatch(new RegExp(`^${PAGE_SIZE + 1}–|중 ${PAGE_SIZE + 1}–`));
      await eventually(() => c.d.toldPrivately(as).some((text) => text.includes(`${PAGE_SIZE + 1}–`)), 10_000);
    },
  };
}

const ALEX = 'alex.park@example.com';
const JORDAN = 'jordan.choi@example.com'; // change manager
/** An RFC's form values, its window `daysAhead` days after the suite's clock (23 Nov 2026); 28 days lands in the year-end freeze. */
const rfcValues = (daysAhead: number, type = 'normal') => {
  const start = new Date(Date.parse('2026-11-23T13:00:00Z') + daysAhead * 86_400_000);
  return { title: 'Patch Exchange', type, risk: 'low', service: 'email', windowStart: start.toISOString(), windowEnd: new Date(start.getTime() + 3_600_000).toISOString(), plan: 'Install the update.', backoutPlan: 'Uninstall it.' };
};

/** Alex requests a change on the platform (the command, its form, a submission); its number. */
function changeRequested(daysAhead: number, type = 'normal') {
  return async (c: Context): Promise<string> => {
    const since = c.runs.length;
    const { form } = await c.d.command('/change Patch Exchange', ALEX);
    if (!form) throw new Error('/change opened no form');
    expect(await c.d.submit(form, rfcValues(daysAhead, type), ALEX)).toEqual({});
    const run = await nextRun(c, CHANGE_IDS.submit, since, ALEX);
    const recordId = run.result.announcements[0]!.recordId;
    await eventually(async () => (await c.d.personCard(recordId, ALEX)) !== undefined, 10_000);
    return recordId;
  };
}

/** A pre-approved (standard) change moved on by its requester's clicks on their card. */
function changeMovedOn(...actions: string[]) {
  return async (c: Context): Promise<string> => {
    const id = await changeRequested(2, 'standard')(c);
    for (const action of actions) {
      const since = c.runs.length;
      await c.d.click((await c.d.personCard(id, ALEX))!, action, ALEX);
      await nextRun(c, action, since, ALEX);
    }
    return id;
  };
}

const changeOf = async (c: Context, id: string) => (await c.d.app.ctx.changes.findById(id))!;

/** At least a page and one more of changes: Sam's own, or waiting on Robin (requested by Alex). */
function twoPagesOfChanges(requester: string) {
  return async (c: Context): Promise<string> => {
    const { ctx, registry, log } = c.d.app;
    const actor = await ctx.people.actorFor({ platform: 'web', userId: requester, email: requester });
    for (let i = 0; i <= PAGE_SIZE; i++) await dispatch(ctx, registry, log, { handlerId: CHANGE_IDS.submit, actor, input: rfcValues(3 + i) });
    return '';
  };
}

function nextPageOfChanges(command: string, requester: string, as: string): CardScenario {
  return { ...nextPageOfRequests(command, 'laptop', as), setup: twoPagesOfChanges(requester) };
}

const CARD_SCENARIOS: Record<string, CardScenario> = {
  [CHANGE_IDS.mine]: nextPageOfChanges('/change mine', SAM, SAM),
  [CHANGE_IDS.approvals]: nextPageOfChanges('/change approvals', ALEX, ROBIN),
  [CHANGE_IDS.approve]: {
    setup: changeRequested(2),
    on: (c, id) => c.d.personCard(id, ROBIN),
    as: ROBIN,
    async then(c, id) {
      expect((await changeOf(c, id)).state).toBe('scheduled');
      await eventually(async () => (await c.d.personCard(id, ALEX))?.text.includes('Scheduled') === true, 10_000).catch(() => undefined);
      expect((await c.d.personCard(id, ALEX))?.text).toContain('Robin Han approved');
    },
  },
  [CHANGE_IDS.rejectForm]: { setup: changeRequested(2), on: (c, id) => c.d.personCard(id, ROBIN), as: ROBIN, opens: CHANGE_IDS.reject, then: async () => {} },
  [CHANGE_IDS.overrideFreeze]: {
    setup: changeRequested(28),
    on: (c, id) => c.d.personCard(id, JORDAN),
    as: JORDAN,
    async then(c, id) {
      expect((await changeOf(c, id)).freezeOverride).toMatchObject({ byName: 'Jordan Choi' });
      await eventually(async () => (await c.d.personCard(id, ROBIN))?.text.includes('overridden by Jordan Choi') === true, 10_000).catch(() => undefined);
      expect((await c.d.personCard(id, ROBIN))?.text).toContain('overridden by Jordan Choi');
    },
  },
  [CHANGE_IDS.start]: {
    setup: changeRequested(2, 'standard'),
    on: (c, id) => c.d.personCard(id, ALEX),
    as: ALEX,
    then: async (c, id) => expect((await changeOf(c, id)).state).toBe('implementing'),
  },
  [CHANGE_IDS.completeForm]: { setup: changeMovedOn(CHANGE_IDS.start), on: (c, id) => c.d.personCard(id, ALEX), as: ALEX, opens: CHANGE_IDS.complete, then: async () => {} },
  [CHANGE_IDS.close]: {
    async setup(c) {
      const id = await changeMovedOn(CHANGE_IDS.start)(c);
      const jordan = await c.d.app.ctx.people.actorFor({ platform: 'web', userId: JORDAN, email: JORDAN });
      await dispatch(c.d.app.ctx, c.d.app.registry, c.d.app.log, { handlerId: CHANGE_IDS.complete, actor: jordan, input: { recordId: id, outcome: 'successful' } });
      return id;
    },
    on: async (c, id) => (await c.d.command(`/itsm show ${id}`, JORDAN)).card,
    as: JORDAN,
    then: async (c, id) => expect((await changeOf(c, id)).state).toBe('closed'),
  },
  [CHANGE_IDS.cancel]: {
    setup: changeRequested(2),
    on: (c, id) => c.d.personCard(id, ALEX),
    as: ALEX,
    async then(c, id) {
      expect((await changeOf(c, id)).state).toBe('cancelled');
      await eventually(async () => (await c.d.personCard(id, ROBIN))?.actions.length === 0, 10_000).catch(() => undefined);
      expect((await c.d.personCard(id, ROBIN))?.text).toContain('Cancelled');
    },
  },
  [REQUEST_IDS.mine]: nextPageOfRequests('/request mine', 'software', SAM),
  // Sam has no manager: the laptop's approval falls to its escalation person, Casey.
  [REQUEST_IDS.approvals]: nextPageOfRequests('/request approvals', 'laptop', 'casey.lim@example.com'),
  [REQUEST_IDS.form]: {
    setup: async () => '',
    on: async (c) => (await c.d.command('/request', JAMIE)).card,
    as: JAMIE,
    opens: REQUEST_IDS.submit,
    then: async () => {},
  },
  [REQUEST_IDS.approve]: {
    setup: laptopRequested,
    on: (c, id) => c.d.personCard(id, ROBIN),
    as: ROBIN,
    async then(c, id) {
      expect((await requestOf(c, id)).state).toBe('in_fulfilment');
      // Approved in a DM: the approver's card and the requester's card both show it, without the buttons spent.
      await eventually(async () => (await c.d.personCard(id, JAMIE))?.text.includes('In fulfilment') === true, 10_000).catch(() => undefined);
      expect((await c.d.personCard(id, JAMIE))?.text).toContain('In fulfilment');
      expect((await c.d.personCard(id, ROBIN))?.actions.map((a) => a.actionId)).toEqual([]);
      expect((await c.d.groupCard(id, 'service-desk'))?.actions.map((a) => a.label)).toEqual(['Take it', 'Done: Purchase']);
    },
  },
  [REQUEST_IDS.take]: {
    setup: laptopApproved,
    on: (c, id) => c.d.groupCard(id, 'service-desk'),
    as: SAM,
    async then(c, id) {
      expect(await requestOf(c, id)).toMatchObject({ assigneeName: 'Sam Lee' });
      // Taken: the channel's card says by whom and no longer offers it.
      await eventually(async () => (await c.d.groupCard(id, 'service-desk'))?.actions.map((a) => a.label).join() === 'Done: Purchase', 10_000).catch(() => undefined);
      expect((await c.d.groupCard(id, 'service-desk'))?.actions.map((a) => a.label)).toEqual(['Done: Purchase']);
      expect((await c.d.groupCard(id, 'service-desk'))?.text).toContain('Sam Lee');
    },
  },
  [REQUEST_IDS.rejectForm]: { setup: laptopRequested, on: (c, id) => c.d.personCard(id, ROBIN), as: ROBIN, opens: REQUEST_IDS.reject, then: async () => {} },
  [REQUEST_IDS.withdraw]: {
    setup: laptopRequested,
    on: (c, id) => c.d.personCard(id, JAMIE),
    as: JAMIE,
    async then(c, id) {
      expect((await requestOf(c, id)).state).toBe('cancelled');
      await eventually(async () => (await c.d.personCard(id, ROBIN))?.actions.length === 0, 10_000).catch(() => undefined);
      expect((await c.d.personCard(id, ROBIN))?.text).toContain('Withdrawn');
    },
  },
  [REQUEST_IDS.taskDone]: {
    setup: laptopApproved,
    on: (c, id) => c.d.groupCard(id, 'service-desk'),
    as: SAM,
    async then(c, id) {
      expect((await requestOf(c, id)).tasks.map((t) => t.state)).toEqual(['done', 'open']);
      await eventually(async () => (await c.d.groupCard(id, 'service-desk'))?.actions.map((a) => a.label).join() === 'Take it,Done: Set up', 10_000).catch(() => undefined);
      expect((await c.d.groupCard(id, 'service-desk'))?.actions.map((a) => a.label)).toEqual(['Take it', 'Done: Set up']);
    },
  },
  [REQUEST_IDS.queue]: nextPageOfRequests('/request queue', 'software', SAM, true),
  [REQUEST_IDS.rate]: {
    async setup(c) {
      const id = await laptopApproved(c);
      const desk = await c.d.app.ctx.people.actorFor({ platform: 'web', userId: SAM, email: SAM });
      for (const task of [0, 1]) {
        const done = await dispatch(c.d.app.ctx, c.d.app.registry, c.d.app.log, { handlerId: REQUEST_IDS.taskDone, actor: desk, input: { recordId: id, task } });
        // Told as the platform's adapter tells it: through the outbox.
        await c.d.app.jobs.notifier.announce(done.announcements);
      }
      await eventually(async () => (await c.d.directCard(id, JAMIE, REQUEST_IDS.rate)) !== undefined, 30_000);
      return id;
    },
    on: (c, id) => c.d.directCard(id, JAMIE, REQUEST_IDS.rate),
    as: JAMIE,
    choice: '5',
    then: async (c, id) => expect((await requestOf(c, id)).rating).toBe(5),
  },
  [INCIDENT_IDS.mine]: nextPageScenario('/itsm mine'),
  [INCIDENT_IDS.queue]: nextPageScenario('/itsm queue'),
  [INCIDENT_IDS.ack]: {
    setup: reportOnPlatform,
    as: SAM,
    then: async (c, id) => expect(await c.incident(id)).toMatchObject({ state: 'in_progress', acknowledgedByName: 'Sam Lee' }),
  },
  [INCIDENT_IDS.assignToMe]: {
    setup: reportOnPlatform,
    as: MINJI,
    then: async (c, id) => expect(await c.incident(id)).toMatchObject({ assigneeName: 'Minji Kim', state: 'in_progress' }),
  },
  [INCIDENT_IDS.priority]: {
    setup: reportOnPlatform,
    as: SAM,
    choice: 'high:high',
    then: async (c, id) => expect(await c.incident(id)).toMatchObject({ priority: 'P1', impact: 'high', urgency: 'high' }),
  },
  [INCIDENT_IDS.resume]: {
    setup: heldIncident,
    as: SAM,
    then: async (c, id) => expect((await c.incident(id)).state).toBe('in_progress'),
  },
  [INCIDENT_IDS.close]: {
    setup: resolvedIncident,
    as: JAMIE,
    then: async (c, id) => expect((await c.incident(id)).state).toBe('closed'),
  },
  [INCIDENT_IDS.declinePage]: {
    async setup(c) {
      const id = await reportOnPlatform(c);
      await runClockUntil(c.d.app, c.d.clock, new Date(c.d.clock.now().getTime() + 60_000).toISOString());
      return id;
    },
    on: (c, id) => c.d.directCard(id, onCallNow(c), INCIDENT_IDS.declinePage),
    as: onCallNow,
    async then(c, id, run) {
      expect(run.input).toMatchObject({ recordId: id, step: 0 });
      // The next level (the service desk group) is paged at once, not after its 15 minutes.
      await runClockUntil(c.d.app, c.d.clock, new Date(c.d.clock.now().getTime() + 60_000).toISOString());
      const nextLevel = await Promise.all([MINJI, SAM].map((email) => c.d.directCard(id, email, INCIDENT_IDS.declinePage)));
      for (const page of nextLevel) expect(page?.actions.find((a) => a.actionId === INCIDENT_IDS.declinePage)?.value).toBe('1');
      expect(await c.d.threadLines(id)).toContain(run.result.announcements[0]!.view.threadLine);
    },
  },
  [INCIDENT_IDS.rate]: {
    async setup(c) {
      const id = await resolvedIncident(c);
      // The requester's message is a notification: stored, then delivered by the next tick.
      await runClockUntil(c.d.app, c.d.clock, new Date(c.d.clock.now().getTime() + 60_000).toISOString());
      return id;
    },
    on: (c, id) => c.d.directCard(id, JAMIE, INCIDENT_IDS.rate),
    as: JAMIE,
    choice: '4',
    async then(c, id, run) {
      expect(run.input).toEqual({ recordId: id, rating: 4 });
      expect((await c.incident(id)).satisfaction?.rating).toBe(4);
      await eventually(async () => (await c.d.channelCard(id))?.text.includes('(4/5)') === true, 10_000).catch(() => undefined);
      expect((await c.d.channelCard(id))?.text).toContain('★★★★ (4/5)');
      expect((await c.d.threadLines(id)).join('\n')).toContain('4/5');
    },
  },
  [INCIDENT_IDS.resolveForm]: { setup: reportOnPlatform, as: SAM, opens: INCIDENT_IDS.resolve, then: async () => {} },
  [INCIDENT_IDS.holdForm]: { setup: reportOnPlatform, as: SAM, opens: INCIDENT_IDS.hold, then: async () => {} },
  [INCIDENT_IDS.reopenForm]: { setup: resolvedIncident, as: JAMIE, opens: INCIDENT_IDS.reopen, then: async () => {} },
  [INCIDENT_IDS.assignForm]: { setup: reportOnPlatform, as: SAM, opens: INCIDENT_IDS.assign, then: async () => {} },
  [INCIDENT_IDS.comment]: {
    setup: reportOnPlatform,
    as: JAMIE,
    inputs: { text: 'It happens on the office Wi-Fi only.' },
    async then(c, id, run) {
      expect(run.input).toMatchObject({ text: 'It happens on the office Wi-Fi only.' });
      expect((await c.incident(id)).comments.map((comment) => comment.text)).toEqual(['It happens on the office Wi-Fi only.']);
      expect((await c.d.threadLines(id)).join('\n')).toContain('It happens on the office Wi-Fi only.');
    },
  },
};

interface FormScenario {
  /** Opens the form on the platform as the person would; returns the record it is about, if any. */
  open(c: Context): Promise<{ recordId?: string; form: RenderedForm }>;
  as: string;
  values: Record<string, string | { suggest: string }>;
  /** A field the person must fill (none when every field has a value already, as the assignment's group). */
  required?: string;
  then(c: Context, run: HandlerRun, recordId: string): Promise<void>;
}

const fromCard = (setup: (c: Context) => Promise<string>, openerId: string, email: string) => async (c: Context) => {
  const recordId = await setup(c);
  return { recordId, form: await openFromCard(c, recordId, openerId, email) };
};

/** How each declared form is reached, filled and what it must change. A declared form without one fails the suite. */
const FORM_SCENARIOS: Record<string, FormScenario> = {
  [CHANGE_IDS.submit]: {
    required: 'plan',
    async open(c) {
      const { form } = await c.d.command('/change Patch Exchange', ALEX);
      if (!form) throw new Error('/change opened no form');
      return { form };
    },
    as: ALEX,
    values: { ...rfcValues(2), configurationItems: { suggest: 'exchange' } },
    async then(c, _run, id) {
      expect(await changeOf(c, id)).toMatchObject({ state: 'assessment', affectedItems: ['exchange-01'], service: 'email' });
      expect((await changeOf(c, id)).windowStart.toISOString()).toBe(rfcValues(2).windowStart);
      await eventually(async () => (await c.d.personCard(id, ROBIN)) !== undefined, 10_000).catch(() => undefined);
      expect((await c.d.personCard(id, ROBIN))?.actions.map((a) => a.actionId)).toEqual([CHANGE_IDS.approve, CHANGE_IDS.rejectForm]);
    },
  },
  [CHANGE_IDS.reject]: {
    required: 'reason',
    async open(c) {
      const recordId = await changeRequested(2)(c);
      const outcome = await c.d.click((await c.d.personCard(recordId, ROBIN))!, CHANGE_IDS.rejectForm, ROBIN);
      await eventually(() => outcome.form !== undefined, 10_000).catch(() => undefined);
      if (!outcome.form) throw new Error('Reject opened no form');
      return { recordId, form: outcome.form };
    },
    as: ROBIN,
    // Any one of the CAB decides a low risk: one rejection leaves the other to decide.
    values: { reason: 'Not during the sale.' },
    async then(c, _run, id) {
      expect((await changeOf(c, id)).steps[0]?.votes).toEqual([expect.objectContaining({ approverName: 'Robin Han', decision: 'rejected', comment: 'Not during the sale.' })]);
    },
  },
  [CHANGE_IDS.complete]: {
    required: 'outcome',
    async open(c) {
      const recordId = await changeMovedOn(CHANGE_IDS.start)(c);
      const outcome = await c.d.click((await c.d.personCard(recordId, ALEX))!, CHANGE_IDS.completeForm, ALEX);
      await eventually(() => outcome.form !== undefined, 10_000).catch(() => undefined);
      if (!outcome.form) throw new Error('Complete opened no form');
      return { recordId, form: outcome.form };
    },
    as: ALEX,
    values: { outcome: 'successful', notes: 'Done in 20 minutes.' },
    then: async (c, _run, id) => expect(await changeOf(c, id)).toMatchObject({ state: 'review', outcome: 'successful', outcomeNotes: 'Done in 20 minutes.' }),
  },
  [REQUEST_IDS.submit]: {
    required: 'reason',
    async open(c) {
      const { form } = await c.d.command('/request laptop', JAMIE);
      if (!form) throw new Error('/request laptop opened no form');
      return { form };
    },
    as: JAMIE,
    values: LAPTOP,
    async then(c, _run, id) {
      expect(await requestOf(c, id)).toMatchObject({ state: 'awaiting_approval', answers: { model: 'ThinkPad X1 Carbon', cost: '1800000' } });
      await eventually(async () => (await c.d.personCard(id, ROBIN)) !== undefined, 10_000).catch(() => undefined);
      expect((await c.d.personCard(id, ROBIN))?.actions.map((a) => a.actionId)).toEqual([REQUEST_IDS.approve, REQUEST_IDS.rejectForm]);
    },
  },
  [REQUEST_IDS.reject]: {
    required: 'reason',
    async open(c) {
      const recordId = await laptopRequested(c);
      const outcome = await c.d.click((await c.d.personCard(recordId, ROBIN))!, REQUEST_IDS.rejectForm, ROBIN);
      await eventually(() => outcome.form !== undefined, 10_000).catch(() => undefined);
      if (!outcome.form) throw new Error('Reject opened no form');
      return { recordId, form: outcome.form };
    },
    as: ROBIN,
    values: { reason: 'A spare one is in the cupboard.' },
    async then(c, _run, id) {
      expect(await requestOf(c, id)).toMatchObject({ state: 'rejected', rejection: { byName: 'Robin Han', reason: 'A spare one is in the cupboard.' } });
      await eventually(async () => (await c.d.personCard(id, JAMIE))?.text.includes('A spare one') === true, 10_000).catch(() => undefined);
      expect((await c.d.personCard(id, JAMIE))?.text).toContain('Rejected by Robin Han: A spare one is in the cupboard.');
    },
  },
  [INCIDENT_IDS.report]: {
    required: 'summary',
    async open(c) {
      const { form } = await c.d.command('/incident Mail is down', JAMIE);
      if (!form) throw new Error('/incident opened no form');
      return { form };
    },
    as: JAMIE,
    values: { summary: 'Mail is down', service: 'email', configurationItem: { suggest: 'gateway' }, impact: 'medium', urgency: 'high' },
    async then(c, run, recordId) {
      expect(await c.incident(recordId)).toMatchObject({ title: 'Mail is down', service: 'email', configurationItem: 'mail-gateway', state: 'new' });
      expect(run.input).toMatchObject({ platform: c.d.platform });
    },
  },
  [INCIDENT_IDS.resolve]: {
    required: 'notes',
    open: fromCard(reportOnPlatform, INCIDENT_IDS.resolveForm, SAM),
    as: SAM,
    values: { code: 'solved_permanently', notes: 'Replaced the gateway & its cable.' },
    then: async (c, _run, id) =>
      expect(await c.incident(id)).toMatchObject({ state: 'resolved', resolutionCode: 'solved_permanently', resolutionNotes: 'Replaced the gateway & its cable.' }),
  },
  [INCIDENT_IDS.hold]: {
    required: 'reason',
    open: fromCard(reportOnPlatform, INCIDENT_IDS.holdForm, SAM),
    as: SAM,
    values: { reason: 'awaiting_vendor', comment: 'Vendor case 4711 is open.' },
    async then(c, _run, id) {
      const stored = await c.incident(id);
      expect(stored).toMatchObject({ state: 'on_hold', holdReason: 'awaiting_vendor' });
      expect(stored.comments.map((comment) => comment.text)).toEqual(['Vendor case 4711 is open.']);
      const audit = await c.d.app.database.models.AuditEvent.find({ recordId: id, action: 'hold' }).lean();
      expect(audit.map((e) => e.after)).toEqual([expect.objectContaining({ comment: 'Vendor case 4711 is open.' })]);
      expect((await c.d.threadLines(id)).join('\n')).toContain('Vendor case 4711 is open.');
    },
  },
  [INCIDENT_IDS.reopen]: {
    required: 'reason',
    open: fromCard(resolvedIncident, INCIDENT_IDS.reopenForm, JAMIE),
    as: JAMIE,
    values: { reason: 'It dropped again at 14:00.' },
    then: async (c, _run, id) => expect((await c.incident(id)).state).toBe('in_progress'),
  },
  [INCIDENT_IDS.assign]: {
    open: fromCard(reportOnPlatform, INCIDENT_IDS.assignForm, SAM),
    as: SAM,
    // Another group, and a person of it found by typing.
    values: { group: 'messaging', assignee: { suggest: 'alex' } },
    async then(c, _run, id) {
      expect(await c.incident(id)).toMatchObject({ assignmentGroup: 'messaging', assigneeName: 'Alex Park' });
      const card = await c.d.channelCard(id);
      expect(card?.text).toContain('Alex Park');
      expect(card?.text).toContain('Messaging Platform');
    },
  },
};

interface SuggestScenario {
  open(c: Context): Promise<RenderedForm>;
  field: string;
  as: string;
  query: string;
  /** The form's other values, narrowing the suggestions. */
  narrowedBy: Record<string, string>;
  all: string[];
  narrowed: string[];
}

const SUGGEST_SCENARIOS: Record<string, SuggestScenario> = {
  'cmdb.suggest': {
    open: async (c) => (await c.d.command('/incident Mail is down', JAMIE)).form!,
    field: 'configurationItem',
    as: JAMIE,
    query: 'gateway',
    narrowedBy: { service: 'email' },
    all: ['mail-gateway', 'vpn-gw-seoul'],
    narrowed: ['mail-gateway'],
  },
  'people.suggest': {
    open: async (c) => (await fromCard(reportOnPlatform, INCIDENT_IDS.assignForm, SAM)(c)).form,
    field: 'assignee',
    as: SAM,
    query: 'kim',
    narrowedBy: { group: 'messaging' },
    all: ['minji.kim@example.com'],
    narrowed: [],
  },
};

/**
 * Every entry point the handlers declare, exercised on one platform as its people use it: the
 * card or form rendered as the platform shows it, the click or submission sent as the platform
 * sends it, the handler given valid input, and the card changed as the handler said.
 */
export function describeConformance(name: string, start: (database: Database, clock: TestClock) => Promise<PlatformDriver>): void {
  describe(`${name} conformance: every declared entry point`, () => {
    let database: Database;
    let c: Context;

    beforeAll(async () => {
      database = await openTestDatabase(`conformance_${name.toLowerCase()}`);
      // Monday 23 November 2026, 10:00 in Seoul: working hours, a weekday rota.
      const d = await start(database, new TestClock(new Date('2026-11-23T01:00:00Z')));
      const { runs } = spyOnHandlers(d.app);
      c = {
        d,
        runs,
        incident: async (id) => (await d.app.ctx.incidents.findById(id)) as IncidentDoc,
      };
    });
    afterAll(async () => {
      await c.d.close();
      await dropTestDatabase(database);
    });

    it.each(CARD_ACTIONS)('card action %s: shown, clicked as the platform sends it, valid input, the card changes', async (actionId) => {
      const scenario = CARD_SCENARIOS[actionId];
      if (!scenario) throw new Error(`no conformance scenario for the card action ${actionId}: add one`);
      const recordId = await scenario.setup(c);
      const as = typeof scenario.as === 'function' ? scenario.as(c) : scenario.as;
      const card = scenario.on ? await scenario.on(c, recordId) : await c.d.channelCard(recordId);
      expect(card?.actions.map((a) => a.actionId)).toContain(actionId);
      const since = c.runs.length;
      const outcome = await c.d.click(card!, actionId, as, { ...(scenario.choice ? { choice: scenario.choice } : {}), ...(scenario.inputs ? { inputs: scenario.inputs } : {}) });
      const run = await nextRun(c, actionId, since, as);
      expect(run.actorEmail).toBe(as);
      if (scenario.opens) {
        await eventually(() => outcome.form !== undefined, 10_000).catch(() => undefined);
        const form = run.result.views.find((v) => v.kind === 'form');
        expect({ submitId: outcome.form?.submitId, fields: outcome.form?.fieldIds }).toEqual({
          submitId: scenario.opens,
          fields: form?.kind === 'form' ? form.fields.map((f) => f.id) : [],
        });
      } else if (!scenario.on) {
        await expectAnnouncedCard(c, run, recordId);
      }
      await scenario.then(c, recordId, run);
    });

    it.each(FORMS)('form %s: opened as the platform shows it, submitted as it sends it, valid input, the card changes', async (submitId) => {
      const scenario = FORM_SCENARIOS[submitId];
      if (!scenario) throw new Error(`no conformance scenario for the form ${submitId}: add one`);
      const { recordId, form } = await scenario.open(c);
      expect(form.submitId).toBe(submitId);
      const since = c.runs.length;
      expect(await c.d.submit(form, scenario.values, scenario.as)).toEqual({});
      const run = await nextRun(c, submitId, since, scenario.as);
      const id = recordId ?? run.result.announcements[0]!.recordId;
      await expectAnnouncedCard(c, run, id);
      await scenario.then(c, run, id);
    });

    const withInputs = CARD_ACTIONS.filter((id) => CARD_SCENARIOS[id]?.inputs);
    it.each(withInputs)('card action %s: clicked with its card input empty, the person is told and nothing changes', async (actionId) => {
      const scenario = CARD_SCENARIOS[actionId]!;
      const recordId = await scenario.setup(c);
      const as = typeof scenario.as === 'function' ? scenario.as(c) : scenario.as;
      const before = await c.incident(recordId);
      const told = c.d.toldPrivately(as).length;
      const since = c.runs.length;
      await c.d.click((await c.d.channelCard(recordId))!, actionId, as, { inputs: {} });
      await eventually(() => c.d.toldPrivately(as).length > told, 10_000);
      expect(c.runs.slice(since).filter((r) => r.handlerId === actionId)).toEqual([]);
      expect((await c.incident(recordId)).version).toBe(before.version);
    });

    const withRequired = FORMS.filter((id) => FORM_SCENARIOS[id]?.required);
    it.each(withRequired)('form %s: a submission missing a required field is answered beside the field and changes nothing', async (submitId) => {
      const scenario = FORM_SCENARIOS[submitId]!;
      const { form } = await scenario.open(c);
      const since = c.runs.length;
      const required = scenario.required!;
      const values = Object.fromEntries(Object.entries(scenario.values).filter(([field]) => field !== required));
      const outcome = await c.d.submit(form, values, scenario.as);
      expect(Object.keys(outcome.fieldErrors ?? {})).toContain(required);
      expect(c.runs.slice(since).filter((r) => r.handlerId === submitId)).toEqual([]);
    });

    it.each(SUGGESTIONS)('type-ahead %s: suggestions as the person types, narrowed by the form', async (handlerId) => {
      const scenario = SUGGEST_SCENARIOS[handlerId];
      if (!scenario) throw new Error(`no conformance scenario for the type-ahead ${handlerId}: add one`);
      const form = await scenario.open(c);
      expect((await c.d.suggest(form, scenario.field, scenario.query, {}, scenario.as)).sort()).toEqual(scenario.all);
      expect(await c.d.suggest(form, scenario.field, scenario.query, scenario.narrowedBy, scenario.as)).toEqual(scenario.narrowed);
    });

    it.each(COMMANDS.map((command) => [usageLine(command.entry), command.handlerId]))('command %s: runs %s and answers', async (usage, handlerId) => {
      const text = usage.replace('[what is wrong]', 'Printer jammed').replace(' INC0001001', ' INC0001001').replace(' [group]', '').replace(' [page]', '').replace('[what you need]', 'laptop').replace('[what changes]', 'Patch Exchange');
      const since = c.runs.length;
      const outcome = await c.d.command(text, SAM);
      const run = await nextRun(c, handlerId, since, SAM);
      expect(run.actorEmail).toBe(SAM);
      expect(outcome.form !== undefined || (outcome.reply ?? '').length > 0).toBe(true);
    });
  });
}
