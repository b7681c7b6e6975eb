import type { Database } from '../../../src/db/connect';
import type { IncidentDoc } from '../../../src/models/incident.model';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';
import { slackFixture, slashCommandBody, slackFixtureText } from '../../support/slack/fixtures';
import { SLACK_USERS, eventually, startSlackHarness, type SlackHarness } from '../../support/slack/slack-harness';
import { slackSignatureOf } from '../../../adapters/slack/http/verify-slack-signature';
import { buttonClick, reportSubmission, reportValues } from '../../support/slack/payloads';
import { SIGNING_SECRET, interactionBody, postToSlackEndpoint, slackSignature } from '../../support/slack/signed-request';

const FORM = 'application/x-www-form-urlencoded' as const;
/** The outbox notification a recorded post delivered (its metadata). */
const notificationOf = (call: { args: Record<string, unknown> }) => (call.args.metadata as { event_payload?: { notification_id?: string } } | undefined)?.event_payload?.notification_id;

describe('Slack adapter over real HTTP (signed requests into Bolt, Web API recorded)', () => {
  let database: Database;
  let slack: SlackHarness;

  beforeAll(async () => {
    database = await openTestDatabase('slack_contract');
    slack = await startSlackHarness(database);
  });
  afterAll(async () => {
    await slack.close();
    await dropTestDatabase(database);
  });
  beforeEach(() => slack.api.clear());

  async function reportThroughSlack(viewId: string): Promise<IncidentDoc> {
    const response = await postToSlackEndpoint(slack.url, { body: interactionBody(reportSubmission(viewId, reportValues('VPN keeps dropping'))), contentType: FORM });
    expect(response.status).toBe(200);
    let incident: IncidentDoc | null = null;
    await eventually(async () => {
      incident = await database.models.Incident.findOne({ dedupeKey: `slack:view:${viewId}` }).lean<IncidentDoc>();
      return incident !== null && (await slack.app.database.models.CardLocation.countDocuments({ recordId: (incident as IncidentDoc)._id })) === 1;
    });
    // Everything the submission posts after its acknowledgement: card, thread line, confirmation.
    const number = (incident as unknown as IncidentDoc)._id;
    await eventually(() => slack.api.callsOf('chat.postEphemeral').some((c) => String(c.args.text).startsWith(`${number} is open`)));
    await eventually(() => slack.api.callsOf('chat.postMessage').some((c) => c.args.thread_ts && notificationOf(c) === `${number}:line.incident.create.v1:thread:slack`));
    return incident as unknown as IncidentDoc;
  }

  it('signs as Slack documents it (the published test vector)', () => {
    const vector = slackFixture('headers.json').signature_test_vector;
    const body = slackFixtureText(vector.body_file).replace(/\n$/, '');
    // Both our verifier's signer and the tests' own agree with Slack's published vector.
    expect(slackSignatureOf(vector.signing_secret, vector.request_headers['X-Slack-Request-Timestamp'], Buffer.from(body))).toBe(vector.request_headers['X-Slack-Signature']);
    expect(slackSignature(vector.signing_secret, vector.request_headers['X-Slack-Request-Timestamp'], body)).toBe(vector.request_headers['X-Slack-Signature']);
  });

  it('refuses a forged signature, a 10-minute-old timestamp and a future one with 401, storing nothing', async () => {
    const before = await database.models.Incident.countDocuments();
    const body = interactionBody(reportSubmission('V-FORGED', reportValues('Forged')));
    expect((await postToSlackEndpoint(slack.url, { body, contentType: FORM, secret: 'not-the-secret' })).status).toBe(401);
    const now = Math.floor(Date.now() / 1000);
    expect((await postToSlackEndpoint(slack.url, { body, contentType: FORM, timestamp: now - 600 })).status).toBe(401);
    expect((await postToSlackEndpoint(slack.url, { body, contentType: FORM, timestamp: now + 600 })).status).toBe(401);
    const unsigned = await fetch(slack.url, { method: 'POST', headers: { 'content-type': FORM }, body });
    expect(unsigned.status).toBe(401);
    expect(await database.models.Incident.countDocuments()).toBe(before);
    expect(slack.api.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
  });

  it('answers a malformed, correctly signed body with 4xx, never 5xx', async () => {
    const response = await postToSlackEndpoint(slack.url, { body: 'payload=%7Bnot-json', contentType: FORM });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  it('echoes the url_verification challenge', async () => {
    const challenge = slackFixture('event_url_verification.json');
    const response = await postToSlackEndpoint(slack.url, { body: JSON.stringify(challenge), contentType: 'application/json' });
    expect(JSON.parse(response.text)).toEqual({ challenge: challenge.challenge });
  });

  it('/incident opens the report modal at once, prefilled from the text', async () => {
    const response = await postToSlackEndpoint(slack.url, { body: slashCommandBody('/incident', 'Mail is down for the whole floor'), contentType: FORM });
    expect(response.status).toBe(200);
    await eventually(() => slack.api.callsOf('views.open').length === 1);
    const { view, trigger_id } = slack.api.callsOf('views.open')[0]!.args as { view: any; trigger_id: string };
    expect(trigger_id).toMatch(/^111\.222\.xxx\./);
    expect(view.callback_id).toBe(INCIDENT_IDS.report);
    expect(view.blocks.map((b: any) => b.block_id)).toEqual(['summary', 'service', 'configurationItem', 'impact', 'urgency', 'description']);
    expect(view.blocks[0].element.initial_value).toBe('Mail is down for the whole floor');
    expect(view.blocks[2].element.type).toBe('external_select');
  });

  it('creates the incident on submission, posts its card to the service channel with a thread line, and confirms to the reporter', async () => {
    const incident = await reportThroughSlack('V-REPORT-1');
    expect(incident).toMatchObject({ priority: 'P2', service: 'vpn', requesterName: 'Jamie Song', source: { platform: 'slack' } });
    const post = slack.api.callsOf('chat.postMessage').find((c) => c.args.channel === 'C0SERVICEDESK' && !c.args.thread_ts)!;
    const blocks = post.args.blocks as any[];
    // The header leads with the priority's colour (P2: orange).
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: `:large_orange_circle: ${incident._id}: VPN keeps dropping` } });
    // The long description is cut to Block Kit's limit, never refused.
    const description = blocks.find((b) => b.type === 'section' && b.text);
    expect([...description.text.text].length).toBeLessThanOrEqual(3000);
    expect(description.text.text.endsWith('…')).toBe(true);
    await eventually(() => slack.api.callsOf('chat.postMessage').some((c) => c.args.thread_ts && notificationOf(c) === `${incident._id}:line.incident.create.v1:thread:slack`));
    await eventually(() => slack.api.callsOf('chat.postEphemeral').some((c) => String(c.args.text).startsWith(`${incident._id} is open`)));
  });

  it('creates one incident when Slack retries the submission', async () => {
    const body = interactionBody(reportSubmission('V-RETRIED', reportValues('Printer offline')));
    const first = await postToSlackEndpoint(slack.url, { body, contentType: FORM });
    const retry = await postToSlackEndpoint(slack.url, { body, contentType: FORM, headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect([first.status, retry.status]).toEqual([200, 200]);
    // Both requests were answered; once Bolt holds neither, their work after the answer is done too.
    await slack.idle();
    expect(await database.models.Incident.countDocuments({ dedupeKey: 'slack:view:V-RETRIED' })).toBe(1);
    const cards = slack.api.callsOf('chat.postMessage').filter((c) => c.channel === 'C0SERVICEDESK' && !c.args.thread_ts && JSON.stringify(c.args.blocks).includes('Printer offline'));
    expect(cards).toHaveLength(1);
  });

  it('answers a submission with a missing field in the modal, field by field, and stores nothing', async () => {
    const before = await database.models.Incident.countDocuments();
    const response = await postToSlackEndpoint(slack.url, { body: interactionBody(reportSubmission('V-MISSING', reportValues(null))), contentType: FORM });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ response_action: 'errors', errors: { summary: 'This field is required.' } });
    expect(await database.models.Incident.countDocuments()).toBe(before);
  });

  it('closes the modal at once and tells the reporter privately when the record refuses the input', async () => {
    const values = { ...reportValues('Mail relay down'), configurationItem: { configurationItem: { type: 'external_select', selected_option: { value: 'exchange-01' } } } };
    const response = await postToSlackEndpoint(slack.url, { body: interactionBody(reportSubmission('V-WRONG-CI', values)), contentType: FORM });
    expect([response.status, response.text]).toEqual([200, '']);
    await eventually(() => slack.api.callsOf('chat.postEphemeral').length === 1);
    expect(slack.api.callsOf('chat.postEphemeral')[0]!.args).toMatchObject({ user: SLACK_USERS.jamie.id, channel: 'C00FAKECHN1' });
    expect(String(slack.api.callsOf('chat.postEphemeral')[0]!.args.text)).toContain('There is no configuration item "exchange-01" for this service.');
    expect(await database.models.Incident.countDocuments({ dedupeKey: 'slack:view:V-WRONG-CI' })).toBe(0);
  });

  it('lets one of two agents pressing Acknowledge together win; the card shows who, the other is told', async () => {
    const incident = await reportThroughSlack('V-ACK-RACE');
    const location = (await slack.app.database.models.CardLocation.findById(`${incident._id}:slack`).lean())!;
    slack.api.clear();
    const message = { channel: location.channel, ts: location.messageId as string };
    const [minji, sam] = await Promise.all([
      postToSlackEndpoint(slack.url, { body: interactionBody(buttonClick(INCIDENT_IDS.ack, incident._id, SLACK_USERS.minji.id, message)), contentType: FORM }),
      postToSlackEndpoint(slack.url, { body: interactionBody(buttonClick(INCIDENT_IDS.ack, incident._id, SLACK_USERS.sam.id, message)), contentType: FORM }),
    ]);
    expect([minji.status, sam.status]).toEqual([200, 200]);
    await eventually(() => slack.api.callsOf('chat.update').length === 1 && slack.api.callsOf('chat.postEphemeral').length === 1);
    const stored = (await slack.app.ctx.incidents.findById(incident._id))!;
    const winner = stored.acknowledgedByName as string;
    const update = slack.api.callsOf('chat.update')[0]!.args as { ts: string; blocks: any[] };
    expect(update.ts).toBe(location.messageId);
    // The assignee is shown as a mention of their Slack user (the first one opsdesk knows for them).
    const winnerUser = (await slack.app.ctx.people.findById(stored.assigneeId as string))!.identities.find((i) => i.platform === 'slack')!.id;
    expect(JSON.stringify(update.blocks)).toContain(`*Assignee*\\n<@${winnerUser}>`);
    const told = String(slack.api.callsOf('chat.postEphemeral')[0]!.args.text);
    expect([`${winner} already acknowledged ${incident._id}.`, `${winner} 님이 이미 ${incident._id}을(를) 확인했습니다.`]).toContain(told);
    await eventually(() => slack.api.callsOf('chat.postMessage').some((c) => c.args.thread_ts === location.messageId));
  });

  it('refuses a person without the role with a private message, and audits the refusal', async () => {
    const incident = await reportThroughSlack('V-REFUSE');
    slack.api.clear();
    await postToSlackEndpoint(slack.url, { body: interactionBody(buttonClick(INCIDENT_IDS.ack, incident._id, SLACK_USERS.jamie.id)), contentType: FORM });
    await eventually(() => slack.api.callsOf('chat.postEphemeral').length === 1);
    expect(slack.api.callsOf('chat.postEphemeral')[0]!.args).toMatchObject({ user: SLACK_USERS.jamie.id, text: 'You are not allowed to do that.' });
    expect(await database.models.AuditEvent.countDocuments({ recordId: incident._id, action: 'acknowledge.refused' })).toBe(1);
    expect(slack.api.callsOf('chat.update')).toEqual([]);
  });

  it('opens the resolve form from the card, and resolves on its submission', async () => {
    const incident = await reportThroughSlack('V-RESOLVE');
    slack.api.clear();
    await postToSlackEndpoint(slack.url, { body: interactionBody(buttonClick(INCIDENT_IDS.resolveForm, incident._id, SLACK_USERS.sam.id)), contentType: FORM });
    await eventually(() => slack.api.callsOf('views.open').length === 1);
    const modal = slack.api.callsOf('views.open')[0]!.args.view as any;
    expect(modal.callback_id).toBe(INCIDENT_IDS.resolve);
    const submission = slackFixture('view_submission.json');
    submission.user.id = SLACK_USERS.sam.id;
    submission.trigger_id = 'resolve.trigger';
    submission.view = { ...submission.view, id: 'V-RESOLVE-FORM', callback_id: INCIDENT_IDS.resolve, private_metadata: modal.private_metadata, blocks: modal.blocks };
    submission.view.state = {
      values: {
        code: { code: { type: 'static_select', selected_option: { value: 'solved_workaround', text: { type: 'plain_text', text: 'x' } } } },
        notes: { notes: { type: 'plain_text_input', value: 'Rebooted the VPN gateway.' } },
      },
    };
    const response = await postToSlackEndpoint(slack.url, { body: interactionBody(submission), contentType: FORM });
    expect(response.text).toBe('');
    await eventually(async () => (await slack.app.ctx.incidents.findById(incident._id))?.state === 'resolved');
    await eventually(() => slack.api.callsOf('chat.update').length === 1);
  });

  it('/itsm acknowledges at once and answers privately: show, status, and help for anything else', async () => {
    const incident = await reportThroughSlack('V-ITSM');
    const ask = async (text: string, user: string = SLACK_USERS.jamie.id) => {
      slack.api.clear();
      const response = await postToSlackEndpoint(slack.url, { body: slashCommandBody('/itsm', text, { user_id: user, response_url: slack.api.responseUrl() }), contentType: FORM });
      expect([response.status, response.text]).toEqual([200, '']);
      await eventually(() => slack.api.callsOf('response_url').length === 1);
      return slack.api.callsOf('response_url')[0]!.args as { response_type: string; text: string; blocks: any[] };
    };
    const shown = await ask(`show ${incident._id.toLowerCase()}`, SLACK_USERS.alex.id);
    expect(shown.response_type).toBe('ephemeral');
    expect(shown.blocks[0].text.text).toBe(`:large_orange_circle: ${incident._id}: VPN keeps dropping`);
    expect((await ask('status')).blocks[0].text.text).toBe('Service status');
    const help = await ask('frobnicate now');
    expect(help.text).toBe('opsdesk commands');
    expect(JSON.stringify(help.blocks)).toContain('/itsm show INC0001001');
  });

  it('suggests configuration items as the person types', async () => {
    const payload = slackFixture('block_suggestion.json');
    payload.action_id = 'cmdb.suggest';
    payload.block_id = 'configurationItem';
    payload.value = 'vpn ga';
    const response = await postToSlackEndpoint(slack.url, { body: interactionBody(payload), contentType: FORM });
    expect(JSON.parse(response.text)).toEqual({ options: [{ text: { type: 'plain_text', text: 'VPN gateway Seoul (vpn)' }, value: 'vpn-gw-seoul' }] });
    // With a service already chosen in the modal, only its items are offered.
    payload.value = 'gateway';
    payload.view.state = { values: { service: { service: { type: 'static_select', selected_option: { value: 'email' } } } } };
    const narrowed = await postToSlackEndpoint(slack.url, { body: interactionBody(payload), contentType: FORM });
    expect(JSON.parse(narrowed.text).options.map((o: { value: string }) => o.value)).toEqual(['mail-gateway']);
  });

  it('"Report as incident" on a message opens the form with its text, and the incident keeps its permalink', async () => {
    const shortcut = slackFixture('message_action.json');
    shortcut.callback_id = 'report_message_as_incident';
    shortcut.message.text = 'Is the wiki down for anyone else?';
    await postToSlackEndpoint(slack.url, { body: interactionBody(shortcut), contentType: FORM });
    await eventually(() => slack.api.callsOf('views.open').length === 1);
    const modal = slack.api.callsOf('views.open')[0]!.args.view as any;
    expect(modal.blocks[0].element.initial_value).toBe('Is the wiki down for anyone else?');
    const submission = reportSubmission('V-FROM-MESSAGE', reportValues('Wiki down'));
    submission.view.private_metadata = modal.private_metadata;
    await postToSlackEndpoint(slack.url, { body: interactionBody(submission), contentType: FORM });
    await eventually(async () => (await database.models.Incident.countDocuments({ dedupeKey: 'slack:view:V-FROM-MESSAGE' })) === 1);
    const incident = (await database.models.Incident.findOne({ dedupeKey: 'slack:view:V-FROM-MESSAGE' }).lean())!;
    expect(incident.source.permalink).toBe(`https://fake-itsm-workspace.slack.com/archives/${shortcut.channel.id}/p${shortcut.message.ts.replace('.', '')}`);
  });

  it('shows a mentioned ticket in the thread, once even when Slack retries the event', async () => {
    const incident = await reportThroughSlack('V-MENTION');
    slack.api.clear();
    const event = slackFixture('event_app_mention.json');
    event.event.text = `<@U00FAKEBOT1> what is going on with ${incident._id}?`;
    const body = JSON.stringify(event);
    await postToSlackEndpoint(slack.url, { body, contentType: 'application/json' });
    await postToSlackEndpoint(slack.url, { body, contentType: 'application/json', headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    await slack.idle();
    const replies = slack.api.callsOf('chat.postMessage');
    expect(replies).toHaveLength(1);
    expect(replies[0]!.args).toMatchObject({ channel: event.event.channel, thread_ts: event.event.ts });
    expect(JSON.stringify(replies[0]!.args.blocks)).toContain(`${incident._id}: VPN keeps dropping`);
    // The thread is public: what anyone may know, not the description, the requester or buttons.
    expect(JSON.stringify(replies[0]!.args.blocks)).not.toContain('Disconnects');
    expect(JSON.stringify(replies[0]!.args.blocks)).not.toContain('Jamie Song');
    expect((replies[0]!.args.blocks as { type: string }[]).some((b) => b.type === 'actions')).toBe(false);
  });

  it('publishes App Home with my tickets and my group queue', async () => {
    const event = slackFixture('event_app_home_opened.json');
    event.event.user = SLACK_USERS.alex.id;
    event.event_id = 'Ev-HOME-1';
    await postToSlackEndpoint(slack.url, { body: JSON.stringify(event), contentType: 'application/json' });
    await eventually(() => slack.api.callsOf('views.publish').length === 1);
    const home = slack.api.callsOf('views.publish')[0]!.args as { user_id: string; view: any };
    expect(home.user_id).toBe(SLACK_USERS.alex.id);
    const headers = home.view.blocks.filter((b: any) => b.type === 'header').map((b: any) => b.text.text);
    expect(headers).toEqual(expect.arrayContaining(['Your open incidents', "Your groups' queue", 'Waiting on your approval']));
  });
});
