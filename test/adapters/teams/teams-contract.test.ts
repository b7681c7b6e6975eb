import type { Database } from '../../../src/db/connect';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';
import { SigningKey } from '../../support/teams/bot-framework-keys';
import { TEAMS_USERS, cardAction, personalMessage, startTeamsHarness, type TeamsHarness } from '../../support/teams/teams-harness';
import { eventually } from '../../support/eventually';

const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';

let database: Database;
let teams: TeamsHarness;

beforeAll(async () => {
  database = await openTestDatabase('teams_contract');
  teams = await startTeamsHarness(database);
});

afterAll(async () => {
  await teams.close();
  await dropTestDatabase(database);
});

const incidents = () => database.models.Incident.countDocuments();
const texts = (card: any): string[] => JSON.stringify(card).match(/"text":"[^"]*"/g) ?? [];

/** The report form's submission, as Teams sends it: the inputs merged into the button's data. */
async function submitReport(form: any, values: Record<string, string>, id?: string) {
  const submit = form.actions.find((a: any) => a.verb === INCIDENT_IDS.report);
  const activity = cardAction(teams, INCIDENT_IDS.report, { ...submit.data, ...values });
  return teams.post(id ? { ...activity, id } : activity);
}

async function openReportForm(): Promise<any> {
  const before = teams.connector.posted().length;
  const response = await teams.post(personalMessage(teams, 'incident mail is down'));
  expect(response.status).toBe(200);
  const reply = teams.connector.posted()[before];
  return reply?.body.attachments[0].content;
}

const REPORT = { 'f:summary': 'Mail is down', 'f:service': 'email', 'f:impact': 'high', 'f:urgency': 'high' };

describe('the Teams adapter over HTTP, with tokens signed as the Bot Connector signs them', () => {
  it.each([
    ['signed by a key nobody published', () => new SigningKey().sign({ serviceUrl: teams.connector.serviceUrl })],
    ['for another bot', () => teams.key.sign({ serviceUrl: teams.connector.serviceUrl, audience: 'another-bot' })],
    ['expired', () => teams.key.sign({ serviceUrl: teams.connector.serviceUrl, expiresInSeconds: -600 })],
    ['for another serviceUrl', () => teams.key.sign({ serviceUrl: 'https://smba.trafficmanager.net/amer/' })],
    ['missing', () => null],
  ])('refuses a token %s with 401 and stores nothing', async (_case, token) => {
    const before = teams.connector.calls.length;
    const response = await teams.post(personalMessage(teams, 'incident mail is down'), { token: token() });
    expect(response.status).toBe(401);
    await teams.idle();
    expect(teams.connector.calls.length).toBe(before);
    expect(await database.models.RecordKey.countDocuments({ _id: /^teams-request:/ })).toBe(0);
    expect(await incidents()).toBe(0);
  });

  it('refuses an activity from another organisation\'s tenant with 403, whoever it claims to be, and stores nothing', async () => {
    const before = teams.connector.calls.length;
    const activity = personalMessage(teams, 'incident mail is down');
    const foreign = { ...activity, conversation: { ...activity.conversation, tenantId: 'ffffffff-0000-4000-8000-000000000000' }, channelData: { ...activity.channelData, tenant: { id: 'ffffffff-0000-4000-8000-000000000000' } } };
    expect((await teams.post(foreign)).status).toBe(403);
    await teams.idle();
    expect(teams.connector.calls.length).toBe(before);
    expect(await database.models.RecordKey.countDocuments({ _id: /^teams-request:/ })).toBe(0);
  });

  it('does an activity whose claim is held by a process that died (no intake for Teams: its resend does the work), not one a live process holds', async () => {
    const activity = personalMessage(teams, 'itsm help');
    const key = `teams-request:${activity.conversation.id}|${activity.id}`;
    await database.models.ProcessBeat.collection.insertOne({ _id: 'alive-process', at: new Date() } as never);
    await database.models.RecordKey.collection.insertOne({ _id: key, recordId: 'alive-process', at: new Date() } as never);
    const before = teams.connector.posted().length;
    await teams.post(activity);
    await teams.idle();
    expect(teams.connector.posted().length).toBe(before);
    // The process stops beating: dead, its claim is taken over by the next delivery.
    await database.models.ProcessBeat.deleteOne({ _id: 'alive-process' });
    await teams.post(activity);
    await teams.idle();
    expect(teams.connector.posted().length).toBe(before + 1);
    expect((await database.models.RecordKey.findById(key).lean())?.recordId).toBe(teams.app.intake.bootId);
    await database.models.RecordKey.deleteOne({ _id: key });
  });

  it('answers a malformed body 400, never 500', async () => {
    expect((await teams.post({}, { rawBody: '{not json' })).status).toBe(400);
    expect((await teams.post({ type: 'message', channelId: 'msteams' })).status).toBe(400);
    const noFrom = { ...personalMessage(teams, 'hello'), from: undefined };
    expect((await teams.post(noFrom)).status).toBe(400);
  });

  it('reports an incident from a personal chat: the command opens the form card, Action.Execute creates the incident', async () => {
    const form = await openReportForm();
    expect(form).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    const ids = form.body.filter((e: any) => String(e.type).startsWith('Input.')).map((e: any) => e.id);
    expect(ids).toEqual(expect.arrayContaining(['f:summary', 'f:service', 'f:configurationItem', 'f:impact', 'f:urgency']));
    // The configuration item is a type-ahead, answered by the suggesting handler.
    const ci = form.body.find((e: any) => e.id === 'f:configurationItem');
    expect(ci['choices.data']).toEqual({ type: 'Data.Query', dataset: 'cmdb.suggest', associatedInputs: 'auto' });
    expect(form.body.find((e: any) => e.id === 'f:summary').value).toBe('mail is down');

    const response = await submitReport(form, REPORT);
    expect(response.status).toBe(200);
    expect(response.body.type).toBe(ADAPTIVE);
    expect(JSON.stringify(response.body.value)).toMatch(/INC\d{7}/);
    expect(await incidents()).toBe(1);
  });

  it('does a resent activity (same id) once', async () => {
    const form = await openReportForm();
    const activity = cardAction(teams, INCIDENT_IDS.report, { ...form.actions[0].data, ...REPORT, 'f:summary': 'Printer on fire' });
    const first = await teams.post(activity);
    const again = await teams.post(activity);
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(await database.models.Incident.countDocuments({ title: 'Printer on fire' })).toBe(1);

    const message = personalMessage(teams, 'itsm mine');
    const posted = teams.connector.posted().length;
    await teams.post(message);
    await teams.post(message);
    expect(teams.connector.posted().length).toBe(posted + 1);
  });

  it('answers a missing field on the form card, beside the field, and stores nothing', async () => {
    const before = await incidents();
    const form = await openReportForm();
    const response = await submitReport(form, { ...REPORT, 'f:summary': '' });
    expect(response.status).toBe(200);
    expect(response.body.type).toBe(ADAPTIVE);
    const card = response.body.value;
    const summary = card.body.find((e: any) => e.id === 'f:summary');
    expect(summary.errorMessage).toBeTruthy();
    expect(card.body.find((e: any) => e.id === 'f:service').value).toBe('email');
    expect(texts(card).some((t) => t.includes(summary.errorMessage))).toBe(true);
    expect(await incidents()).toBe(before);
  });

  it('acknowledges from a card: the answer is the updated card and the message holding it is updated', async () => {
    const form = await openReportForm();
    const created = await submitReport(form, { ...REPORT, 'f:summary': 'Mail bounces' });
    const number = JSON.stringify(created.body.value).match(/INC\d{7}/)![0];
    const stored = await database.models.Incident.findById(number).lean();

    const before = teams.connector.updated().length;
    const response = await teams.post(cardAction(teams, INCIDENT_IDS.ack, { recordId: number, cardVersion: stored!.version }, TEAMS_USERS.sam, 'card-message-1'));
    expect(response.status).toBe(200);
    expect(response.body.type).toBe(ADAPTIVE);
    const card = response.body.value;
    expect(card.actions.map((a: any) => a.verb ?? a.card?.actions?.[0]?.verb)).not.toContain(INCIDENT_IDS.ack);
    expect(card.refresh).toMatchObject({ action: { type: 'Action.Execute', verb: INCIDENT_IDS.show, data: { recordId: number } }, userIds: [TEAMS_USERS.sam.id] });
    const after = await database.models.Incident.findById(number).lean();
    expect(after!.state).toBe('in_progress');

    const updates = teams.connector.updated().slice(before);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.path).toMatch(/\/activities\/card-message-1$/);
    expect(updates[0]!.body.attachments[0].contentType).toBe(ADAPTIVE);
    expect(updates[0]!.authorization).toMatch(/^Bearer bot-token-/);
  });

  it('redraws a card for its viewer when Teams refreshes it', async () => {
    const form = await openReportForm();
    const created = await submitReport(form, { ...REPORT, 'f:summary': 'Calendar gone' });
    const number = JSON.stringify(created.body.value).match(/INC\d{7}/)![0];
    const refresh = cardAction(teams, INCIDENT_IDS.show, { recordId: number }, TEAMS_USERS.sam);
    const response = await teams.post({ ...refresh, value: { ...refresh.value, trigger: 'automatic' } });
    expect(response.status).toBe(200);
    expect(response.body.value.actions.map((a: any) => a.verb ?? a.card?.actions?.[0]?.verb)).toContain(INCIDENT_IDS.ack);
  });

  it('stores where a person chats with the bot, and delivers a proactive SLA warning there through the outbox, after a 429', async () => {
    await teams.post(personalMessage(teams, 'itsm help', TEAMS_USERS.sam));
    await teams.idle();
    const stored = await teams.app.teams.conversations.person('email:sam.lee@example.com');
    expect(stored).toMatchObject({ serviceUrl: teams.connector.serviceUrl, userId: TEAMS_USERS.sam.id });
    const before = teams.connector.posted().length;
    teams.connector.refusals.push({ status: 429, retryAfterSeconds: 1 });
    await teams.app.jobs.notifier.notify({
      recordId: 'INC0009999',
      reason: 'sla.resolution.75',
      audience: { kind: 'person', personId: 'email:sam.lee@example.com' },
      view: { kind: 'card', title: 'INC0009999: VPN drops', text: '75 % of the resolution time has passed.', fields: [], actions: [] },
    });
    await eventually(() => teams.connector.posted().length >= before + 2, 20_000);
    await teams.idle();
    const attempts = teams.connector.posted().slice(before);
    // The refused attempt, then the one that landed, in Sam's own chat, with the card.
    expect(attempts.map((c) => c.path.split('/activities')[0])).toEqual([`/amer/v3/conversations/${stored!.conversationId}`, `/amer/v3/conversations/${stored!.conversationId}`]);
    expect(JSON.stringify(attempts[1]!.body)).toContain('75 % of the resolution time has passed');
    expect(await teams.app.jobs.notifier.status('INC0009999:sla.resolution.75:email:sam.lee@example.com:teams')).toMatchObject({ state: 'delivered' });
  });
});
