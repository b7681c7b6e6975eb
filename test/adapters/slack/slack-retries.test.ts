import type { Database } from '../../../src/db/connect';
import type { IncidentDoc } from '../../../src/models/incident.model';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import { requestKeyOf } from '../../../adapters/slack/after-ack';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';
import { slackFixture, slashCommandBody } from '../../support/slack/fixtures';
import { buttonClick, reportSubmission, reportValues } from '../../support/slack/payloads';
import { SLACK_USERS, eventually, retryIgnored, startSlackHarness, type SlackHarness } from '../../support/slack/slack-harness';
import { interactionBody, postToSlackEndpoint, type SlackPost } from '../../support/slack/signed-request';

const FORM = 'application/x-www-form-urlencoded' as const;
const JSON_TYPE = 'application/json' as const;
const RETRY = { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' };

/**
 * Slack resends a request it thinks failed, identical but for X-Slack-Retry-Num. Each kind is sent,
 * its effect awaited, then resent: the resend is acknowledged (200) and does nothing, which the
 * app's log of the ignored delivery proves before the counts are checked.
 */
describe('Slack retries: every kind of request is handled once', () => {
  let database: Database;
  let slack: SlackHarness;

  beforeAll(async () => {
    database = await openTestDatabase('slack_retries');
    slack = await startSlackHarness(database);
  });
  afterAll(async () => {
    await slack.close();
    await dropTestDatabase(database);
  });
  beforeEach(() => slack.api.clear());

  /** Sends `post`, waits for `effect`, resends it as a retry and waits until the app has ignored it. */
  async function sendTwice(post: SlackPost, body: object, effect: () => boolean | Promise<boolean>): Promise<void> {
    expect((await postToSlackEndpoint(slack.url, post)).status).toBe(200);
    await eventually(effect);
    expect((await postToSlackEndpoint(slack.url, { ...post, headers: { ...post.headers, ...RETRY } })).status).toBe(200);
    await retryIgnored(slack, requestKeyOf(body as Record<string, unknown>) as string);
  }

  async function reported(viewId: string): Promise<IncidentDoc> {
    const submission = reportSubmission(viewId, reportValues(`Retried ${viewId}`));
    await postToSlackEndpoint(slack.url, { body: interactionBody(submission), contentType: FORM });
    let incident: IncidentDoc | null = null;
    await eventually(async () => {
      incident = await database.models.Incident.findOne({ dedupeKey: `slack:view:${viewId}` }).lean<IncidentDoc>();
      return incident !== null && (await database.models.CardLocation.countDocuments({ recordId: (incident as IncidentDoc)._id })) === 1;
    });
    // The thread line and the confirmation to the reporter are the submission's last posts.
    const number = (incident as unknown as IncidentDoc)._id;
    await eventually(() => slack.api.callsOf('chat.postMessage').some((c) => c.args.thread_ts));
    await eventually(() => slack.api.callsOf('chat.postEphemeral').some((c) => String(c.args.text).startsWith(`${number} is open`)));
    return incident as unknown as IncidentDoc;
  }

  it('a slash command: one answer', async () => {
    const body = slashCommandBody('/itsm', 'mine', { user_id: SLACK_USERS.alex.id, response_url: slack.api.responseUrl() });
    const form = Object.fromEntries(new URLSearchParams(body));
    await sendTwice({ body, contentType: FORM }, form, () => slack.api.callsOf('response_url').length === 1);
    expect(slack.api.callsOf('response_url')).toHaveLength(1);
  });

  it('/incident: one modal', async () => {
    const body = slashCommandBody('/incident', 'printer on fire');
    await sendTwice({ body, contentType: FORM }, Object.fromEntries(new URLSearchParams(body)), () => slack.api.callsOf('views.open').length === 1);
    expect(slack.api.callsOf('views.open')).toHaveLength(1);
  });

  it('a card click: applied once, no "already acknowledged" to the clicker, no refusal audited', async () => {
    const incident = await reported('V-RETRY-CLICK');
    slack.api.clear();
    const click = buttonClick(INCIDENT_IDS.ack, incident._id, SLACK_USERS.minji.id);
    // Clicked outside the channel card: the channel card is edited, the clicker gets the new card privately.
    const answered = () => slack.api.callsOf('chat.update').length === 1 && slack.api.callsOf('chat.postEphemeral').length === 1;

    await sendTwice({ body: interactionBody(click), contentType: FORM }, click, answered);
    expect(await database.models.AuditEvent.countDocuments({ recordId: incident._id, action: 'acknowledge' })).toBe(1);
    expect(await database.models.AuditEvent.countDocuments({ recordId: incident._id, action: /refused/ })).toBe(0);
    expect(slack.api.callsOf('chat.update')).toHaveLength(1);
    const told = slack.api.callsOf('chat.postEphemeral');
    expect(told).toHaveLength(1);
    expect(String(told[0]!.args.text)).not.toMatch(/already/);
  });

  it('a form button: one form', async () => {
    const incident = await reported('V-RETRY-FORM');
    slack.api.clear();
    const click = buttonClick(INCIDENT_IDS.resolveForm, incident._id, SLACK_USERS.minji.id);
    await sendTwice({ body: interactionBody(click), contentType: FORM }, click, () => slack.api.callsOf('views.open').length === 1);
    expect(slack.api.callsOf('views.open')).toHaveLength(1);
  });

  it('a report submission: one incident, one card, one confirmation, and no "already reported"', async () => {
    const submission = reportSubmission('V-RETRY-SUBMIT', reportValues('Projector dead'));
    // The confirmation goes beside the card, not after it: both waited for.
    await sendTwice({ body: interactionBody(submission), contentType: FORM }, submission, async () =>
      slack.api.callsOf('chat.postEphemeral').length === 1 && slack.api.callsOf('chat.postMessage').some((c) => c.channel === 'C0SERVICEDESK' && !c.args.thread_ts),
    );
    expect(await database.models.Incident.countDocuments({ dedupeKey: 'slack:view:V-RETRY-SUBMIT' })).toBe(1);
    // One card in the service channel (the on-call's page is a DM of its own).
    expect(slack.api.callsOf('chat.postMessage').filter((c) => c.channel === 'C0SERVICEDESK' && !c.args.thread_ts)).toHaveLength(1);
    const told = slack.api.callsOf('chat.postEphemeral').map((c) => String(c.args.text));
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/is open/);
  });

  it('a message shortcut and a global shortcut: one form each', async () => {
    const shortcut = slackFixture('message_action.json');
    shortcut.callback_id = 'report_message_as_incident';
    await sendTwice({ body: interactionBody(shortcut), contentType: FORM }, shortcut, () => slack.api.callsOf('views.open').length === 1);
    const global = slackFixture('shortcut_global.json');
    global.callback_id = 'report_incident';
    global.trigger_id = 'global.trigger.1';
    await sendTwice({ body: interactionBody(global), contentType: FORM }, global, () => slack.api.callsOf('views.open').length === 2);
    expect(slack.api.callsOf('views.open')).toHaveLength(2);
  });

  it('events: one reply to a mention, one App Home', async () => {
    const mention = slackFixture('event_app_mention.json');
    mention.event_id = 'Ev-RETRY-MENTION';
    await sendTwice({ body: JSON.stringify(mention), contentType: JSON_TYPE }, mention, () => slack.api.callsOf('chat.postMessage').length === 1);
    const home = slackFixture('event_app_home_opened.json');
    home.event_id = 'Ev-RETRY-HOME';
    await sendTwice({ body: JSON.stringify(home), contentType: JSON_TYPE }, home, () => slack.api.callsOf('views.publish').length === 1);
    expect(slack.api.callsOf('chat.postMessage')).toHaveLength(1);
    expect(slack.api.callsOf('views.publish')).toHaveLength(1);
  });

  it('has stored the claim of each kind of request the tests above sent', async () => {
    const keys = await database.models.RecordKey.find({ _id: /^slack-request:/ }).lean();
    const kinds = new Set(keys.map((k) => String(k._id).split(':')[1]));
    expect([...kinds].sort()).toEqual(['block_actions', 'command', 'event', 'message_action', 'shortcut', 'view_submission']);
  });
});
