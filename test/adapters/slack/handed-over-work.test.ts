import type { App } from '../../../src/app';
import type { Database } from '../../../src/db/connect';
import type { IncidentDoc } from '../../../src/models/incident.model';
import { startHttpServer, type HttpServer } from '../../../src/server/http-server';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import { createSlackAdapter, SLACK_EVENTS_PATH, type SlackAdapter } from '../../../adapters/slack/slack-app';
import { doHandedOver } from '../../../adapters/slack/handed-over';
import type { HandOff } from '../../../adapters/slack/slack-context';
import { TestClock, buildApp, silentLogger } from '../../support/factories';
import { RecordingSlackApi } from '../../support/slack/recording-slack-api';
import { buttonClick, reportSubmission, reportValues } from '../../support/slack/payloads';
import { SIGNING_SECRET, interactionBody, postToSlackEndpoint } from '../../support/slack/signed-request';
import { slackFixture, slashCommandBody } from '../../support/slack/fixtures';
import { SLACK_USERS, countInBolt, eventually } from '../../support/slack/slack-harness';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

const FORM = 'application/x-www-form-urlencoded';

/**
 * The thread that answers Slack hands each acknowledged request to the work thread (as `npm start`
 * runs Slack over HTTP): here the two are two apps on one database, as the two threads are, and the
 * hand-over is held until the test lets it go. The answer never waits for the work; what changes
 * something is in the intake from before the answer until the work is done; the work is done once,
 * by the work side, which stores and checks nothing again.
 */
describe('Slack requests handed to the work thread (real HTTP, real database)', () => {
  let database: Database;
  let front: App;
  let workApp: App;
  let work: SlackAdapter;
  let http: HttpServer;
  let url: string;
  const api = new RecordingSlackApi();
  const clock = new TestClock(new Date());
  let held: { request: HandOff; release: () => void }[] = [];
  let intakeInserts = 0;
  /** Commands on the intake of any kind (stores, reads, clears). */
  let intakeCommands = 0;
  /** How many requests the answering side's Bolt is processing now. */
  let inFrontBolt: () => number = () => 0;
  /** How many requests the answering side's Bolt has been given. */
  let toFrontBolt = 0;

  beforeAll(async () => {
    database = await openTestDatabase('slack_handed_over', { monitorCommands: true });
    database.connection.getClient().on('commandStarted', (event) => {
      if (event.commandName === 'insert' && event.command.insert === 'intake') intakeInserts += 1;
      if (event.command[event.commandName] === 'intake') intakeCommands += 1;
    });
    await api.start();
    for (const user of Object.values(SLACK_USERS)) api.users.set(user.id, user);
    front = await buildApp(database, clock);
    workApp = await buildApp(database, clock);
    work = createSlackAdapter(workApp, { botToken: 'xoxb-test', apiUrl: api.url, handedOver: true }, undefined);
    const handOff = (request: HandOff) =>
      new Promise<void>((resolve, reject) => {
        held.push({ request, release: () => doHandedOver(work.bolt, request).then(resolve, reject) });
      });
    http = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      log: silentLogger(),
      databaseReady: database.ping,
      mount: (express) => {
        const { bolt } = createSlackAdapter(front, { signingSecret: SIGNING_SECRET, botToken: 'xoxb-test', apiUrl: api.url, handOff }, express);
        inFrontBolt = countInBolt(bolt);
        const processEvent = bolt.processEvent.bind(bolt);
        bolt.processEvent = (event) => {
          toFrontBolt += 1;
          return processEvent(event);
        };
      },
    });
    url = `http://127.0.0.1:${http.port}${SLACK_EVENTS_PATH}`;
  });
  afterAll(async () => {
    for (const { release } of held) release();
    await front.work.drain(5_000);
    await http.close(1000);
    await api.stop();
    await dropTestDatabase(database);
  });
  beforeEach(() => {
    held = [];
    intakeInserts = 0;
    intakeCommands = 0;
    toFrontBolt = 0;
    jest.restoreAllMocks();
  });

  const send = (payload: unknown, headers?: Record<string, string>) => postToSlackEndpoint(url, { body: interactionBody(payload), contentType: FORM, ...(headers ? { headers } : {}) });
  const releaseAll = async () => {
    const releasing = held.splice(0);
    for (const { release } of releasing) release();
    await front.work.drain(10_000);
    await workApp.jobs.wheel.idle();
    await workApp.jobs.notifier.idle();
  };

  it('a report is answered at once, stored once, and its incident created by the work side', async () => {
    const answer = await send(reportSubmission('V-HANDED-1', reportValues('Printer offline on floor 2')));
    expect(answer).toMatchObject({ status: 200, text: '' });
    expect(held).toHaveLength(1);
    expect(held[0]!.request).toMatchObject({ accepted: true, receivedAt: expect.any(Number) });
    // Answered, not yet done: in the intake, no incident.
    expect(await database.models.Intake.countDocuments({ _id: /V-HANDED-1|view_submission/ })).toBe(1);
    expect(await database.models.Incident.countDocuments({ dedupeKey: 'slack:view:V-HANDED-1' })).toBe(0);
    expect(front.work.size).toBe(1);

    await releaseAll();
    expect(await database.models.Incident.countDocuments({ dedupeKey: 'slack:view:V-HANDED-1' })).toBe(1);
    // Stored by the answering side only, and cleared once done.
    expect(intakeInserts).toBe(1);
    expect(await database.models.Intake.countDocuments({})).toBe(0);
    expect(front.work.size).toBe(0);
  });

  it('a report with a missing field is answered with its error by the answering side and never handed over', async () => {
    const answer = await send(reportSubmission('V-HANDED-2', reportValues(null)));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ response_action: 'errors', errors: { summary: expect.any(String) } });
    expect(held).toHaveLength(0);
    expect(intakeInserts).toBe(0);
  });

  it('a click and its retry are answered while the work is held; the incident is acknowledged once', async () => {
    await send(reportSubmission('V-HANDED-3', reportValues('VPN drops every hour')));
    await releaseAll();
    const incident = (await database.models.Incident.findOne({ dedupeKey: 'slack:view:V-HANDED-3' }).lean<IncidentDoc>())!;
    const click = buttonClick(INCIDENT_IDS.ack, incident._id, SLACK_USERS.sam.id);

    expect((await send(click)).status).toBe(200);
    expect((await send(click, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' })).status).toBe(200);
    expect(held).toHaveLength(2);
    expect((await database.models.Incident.findById(incident._id).lean<IncidentDoc>())!.state).toBe('new');

    await releaseAll();
    expect((await database.models.Incident.findById(incident._id).lean<IncidentDoc>())!.state).toBe('in_progress');
    expect(await database.models.AuditEvent.countDocuments({ recordId: incident._id, action: 'acknowledge' })).toBe(1);
    await eventually(async () => (await database.models.Intake.countDocuments({})) === 0);
  });

  it('the answering side lets go of a request once handed over: it keeps its count while the work runs, not the request', async () => {
    expect((await send(reportSubmission('V-HANDED-4', reportValues('Badge reader dead at the north door')))).status).toBe(200);
    expect(held).toHaveLength(1);
    // Bolt is done with it (its body, its context) though the work is not; the work is still counted.
    await eventually(() => inFrontBolt() === 0);
    expect(front.work.size).toBe(1);
    await releaseAll();
    expect(front.work.size).toBe(0);
    expect(await database.models.Incident.countDocuments({ dedupeKey: 'slack:view:V-HANDED-4' })).toBe(1);
  });

  it('a command, which the intake never holds, is answered and done without a command on the intake', async () => {
    const answer = await postToSlackEndpoint(url, { body: slashCommandBody('/itsm', 'mine', { user_id: SLACK_USERS.jamie.id, response_url: api.responseUrl('mine') }), contentType: FORM });
    expect(answer.status).toBe(200);
    expect(held).toHaveLength(1);
    await releaseAll();
    expect(api.calls.some((call) => call.method === 'response_url' && call.responseId === 'mine')).toBe(true);
    expect(intakeCommands).toBe(0);
  });

  it('a command, a click, a shortcut and a mention are answered and handed over without the answering side\'s Bolt; a form goes through it', async () => {
    await send(reportSubmission('V-HANDED-5', reportValues('Projector dead in room 4')));
    await releaseAll();
    const incident = (await database.models.Incident.findOne({ dedupeKey: 'slack:view:V-HANDED-5' }).lean<IncidentDoc>())!;
    // The form's field errors are Bolt's to answer here: only the form reached it.
    expect(toFrontBolt).toBe(1);
    toFrontBolt = 0;
    intakeInserts = 0;

    const mention = slackFixture('event_app_mention.json');
    mention.event.user = SLACK_USERS.jamie.id;
    mention.event.text = `<@U00FAKEBOT1> ${incident.number}?`;
    const shortcut = slackFixture('shortcut_global.json');
    shortcut.callback_id = 'report_incident';
    shortcut.user.id = SLACK_USERS.jamie.id;
    const answers = [
      await postToSlackEndpoint(url, { body: slashCommandBody('/itsm', 'mine', { user_id: SLACK_USERS.jamie.id, response_url: api.responseUrl('mine-5') }), contentType: FORM }),
      await send(buttonClick(INCIDENT_IDS.ack, incident._id, SLACK_USERS.sam.id)),
      await send(shortcut),
      await postToSlackEndpoint(url, { body: JSON.stringify(mention), contentType: 'application/json' }),
    ];
    expect(answers.map((a) => [a.status, a.text])).toEqual([[200, ''], [200, ''], [200, ''], [200, '']]);
    expect(held.map((h) => h.request.accepted)).toEqual([false, true, false, false]);
    // The click was stored before its answer.
    expect(intakeInserts).toBe(1);
    expect(toFrontBolt).toBe(0);

    await releaseAll();
    expect((await database.models.Incident.findById(incident._id).lean<IncidentDoc>())!.state).toBe('in_progress');
    expect(api.calls.some((call) => call.method === 'response_url' && call.responseId === 'mine-5')).toBe(true);
    await eventually(() => api.calls.some((call) => call.method === 'chat.postMessage' && call.args.thread_ts === mention.event.ts));
    expect(api.calls.some((call) => call.method === 'views.open' && call.args.trigger_id === shortcut.trigger_id)).toBe(true);
    await eventually(async () => (await database.models.Intake.countDocuments({})) === 0);
  });

  it('a click whose store outlasts Slack\'s 3 s is answered as failed, withdrawn from the intake and never done', async () => {
    await send(reportSubmission('V-HANDED-6', reportValues('Wi-Fi gone in the canteen')));
    await releaseAll();
    const incident = (await database.models.Incident.findOne({ dedupeKey: 'slack:view:V-HANDED-6' }).lean<IncidentDoc>())!;
    intakeInserts = 0;
    const accept = front.intake.accept.bind(front.intake);
    jest.spyOn(front.intake, 'accept').mockImplementationOnce(async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 3_300));
      return accept(...args);
    });

    const answer = await send(buttonClick(INCIDENT_IDS.ack, incident._id, SLACK_USERS.sam.id));
    expect(answer.status).toBe(503);
    expect(answer.ms).toBeLessThan(3_300);
    // Stored once the slow insert ends, then withdrawn: the person was told it failed.
    await eventually(() => intakeInserts === 1);
    await eventually(async () => (await database.models.Intake.countDocuments({})) === 0);
    expect(held).toHaveLength(0);
    expect(front.work.size).toBe(0);
    expect((await database.models.Incident.findById(incident._id).lean<IncidentDoc>())!.state).toBe('new');
  });

  it('a click that cannot be stored is answered 500 and neither stored nor handed over', async () => {
    await send(reportSubmission('V-HANDED-7', reportValues('Coffee machine leaking')));
    await releaseAll();
    const incident = (await database.models.Incident.findOne({ dedupeKey: 'slack:view:V-HANDED-7' }).lean<IncidentDoc>())!;
    jest.spyOn(front.intake, 'accept').mockRejectedValueOnce(new Error('the database is gone'));

    const answer = await send(buttonClick(INCIDENT_IDS.ack, incident._id, SLACK_USERS.sam.id));
    expect(answer.status).toBe(500);
    expect(held).toHaveLength(0);
    expect(await database.models.Intake.countDocuments({})).toBe(0);
    expect((await database.models.Incident.findById(incident._id).lean<IncidentDoc>())!.state).toBe('new');
  });
});
