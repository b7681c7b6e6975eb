import type { Database } from '../../../src/db/connect';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import { TestClock } from '../../support/factories';
import { slackFixture, slashCommandBody } from '../../support/slack/fixtures';
import { buttonClick, reportSubmission, reportValues } from '../../support/slack/payloads';
import { SIGNING_SECRET, interactionBody, postToSlackEndpoint, slackSignature } from '../../support/slack/signed-request';
import { SLACK_USERS, eventually, startSlackHarness, type SlackHarness } from '../../support/slack/slack-harness';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

const FORM = 'application/x-www-form-urlencoded';
const BUSY = 'opsdesk is busy right now and did not take this in. Please try again in a minute.';

/**
 * A process holding more than it can answer in time turns new requests away at once, saying so to
 * the person, and stores nothing of them (here its limits are 0: every request finds it busy).
 */
describe('Slack: turned away politely when busy, at once, nothing stored (real HTTP, real database)', () => {
  let database: Database;
  let slack: SlackHarness;

  beforeAll(async () => {
    database = await openTestDatabase('slack_busy');
    slack = await startSlackHarness(database, new TestClock(new Date('2026-11-23T01:00:00Z')), { overload: { maxInProgress: 0, maxWorkInFlight: 0 } });
  });
  afterAll(async () => {
    await slack.close();
    await dropTestDatabase(database);
  });

  it('a command is answered with the busy line, privately', async () => {
    const answer = await postToSlackEndpoint(slack.url, { body: slashCommandBody('/itsm', 'mine', { user_id: SLACK_USERS.jamie.id }), contentType: FORM });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ response_type: 'ephemeral', text: BUSY });
  });

  it('a report form stays open with the busy line under its first field; no incident, nothing in the intake', async () => {
    const answer = await postToSlackEndpoint(slack.url, { body: interactionBody(reportSubmission('V-BUSY-1', reportValues('Mail is down'))), contentType: FORM });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ response_action: 'errors', errors: { summary: BUSY } });
    await slack.idle();
    expect(await database.models.Incident.countDocuments()).toBe(0);
    expect(await database.models.Intake.countDocuments()).toBe(0);
  });

  it('a click is answered and its person told through its response URL', async () => {
    const click = buttonClick(INCIDENT_IDS.ack, 'INC0001001', SLACK_USERS.sam.id);
    click.response_url = slack.api.responseUrl('busy-click');
    const answer = await postToSlackEndpoint(slack.url, { body: interactionBody(click), contentType: FORM });
    expect(answer.status).toBe(200);
    await eventually(() => slack.api.callsOf('response_url').some((c) => c.responseId === 'busy-click'));
    expect(slack.api.callsOf('response_url').find((c) => c.responseId === 'busy-click')?.args).toMatchObject({ response_type: 'ephemeral', text: BUSY });
  });

  it('an event is answered 503 with Retry-After, so that Slack sends it again later; Slack\'s URL check still passes', async () => {
    const mention = slackFixture('event_app_mention.json');
    const answer = await fetch(slack.url, {
      method: 'POST',
      headers: signedHeaders(JSON.stringify(mention)),
      body: JSON.stringify(mention),
    });
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('30');
    const check = slackFixture('event_url_verification.json');
    const verified = await postToSlackEndpoint(slack.url, { body: JSON.stringify(check), contentType: 'application/json' });
    expect(verified.status).toBe(200);
    expect(verified.text).toContain(check.challenge);
    await slack.idle();
    expect(await database.models.Notification.countDocuments()).toBe(0);
  });
});

function signedHeaders(body: string): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000);
  return { 'content-type': 'application/json', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature(SIGNING_SECRET, timestamp, body) };
}
