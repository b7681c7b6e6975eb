import type { Database } from '../../../src/db/connect';
import { judgeSlackRequest } from '../../../adapters/slack/http/slack-request-gate';
import { MAX_SKEW_SECONDS, verifySlackSignature, type RawBodyRequest } from '../../../adapters/slack/http/verify-slack-signature';
import { startHttpServer } from '../../../src/server/http-server';
import { silentLogger } from '../../support/factories';
import { slackRoutes } from '../../../adapters/slack/listeners/routes';
import { HandlerRegistry } from '../../../handlers/index';
import { parseViewState } from '../../../adapters/slack/render/parse-view-state';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';
import { slackFixture, slackFixtureText, slashCommandBody } from '../../support/slack/fixtures';
import { buttonClick } from '../../support/slack/payloads';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import { SLACK_USERS, eventually, startSlackHarness, type SlackHarness } from '../../support/slack/slack-harness';
import { interactionBody, postToSlackEndpoint } from '../../support/slack/signed-request';

const SLACK_ROUTES = slackRoutes(new HandlerRegistry());

const FORM = 'application/x-www-form-urlencoded' as const;
const JSON_TYPE = 'application/json' as const;

describe('Slack requests checked before Bolt: signature over the bytes, the shape of each kind', () => {
  let database: Database;
  let slack: SlackHarness;

  beforeAll(async () => {
    database = await openTestDatabase('slack_gate');
    slack = await startSlackHarness(database);
  });
  afterAll(async () => {
    await slack.close();
    await dropTestDatabase(database);
  });
  beforeEach(() => slack.api.clear());

  it('accepts a correctly signed body that is not valid UTF-8 (the signature is over the bytes)', async () => {
    const mention = slackFixture('event_app_mention.json');
    mention.event_id = 'Ev-LATIN1';
    mention.event.text = '<@U00FAKEBOT1> caf\u00e9 is down';
    // "café" in Latin-1: the é is the single byte 0xE9, not valid UTF-8.
    const bytes = Buffer.from(JSON.stringify(mention), 'latin1');
    expect((await postToSlackEndpoint(slack.url, { body: bytes, contentType: JSON_TYPE })).status).toBe(200);
    await eventually(() => slack.api.callsOf('chat.postMessage').length === 1);
    expect(slack.api.callsOf('chat.postMessage')[0]!.args).toMatchObject({ channel: mention.event.channel, thread_ts: mention.event.ts });
  });

  it.each([
    ['event not an object', JSON_TYPE, () => JSON.stringify({ ...slackFixture('event_app_mention.json'), event: 'boom' }), 'event'],
    ['payload=null', FORM, () => 'payload=null', 'payload'],
    ['actions not an array', FORM, () => interactionBody({ ...buttonClick('incident.ack', 'INC0001001', SLACK_USERS.sam.id), actions: 'ack' }), 'actions'],
    ['container a number', FORM, () => interactionBody({ ...buttonClick('incident.ack', 'INC0001001', SLACK_USERS.sam.id), container: 7 }), 'container'],
    ['user missing', FORM, () => interactionBody({ ...buttonClick('incident.ack', 'INC0001001', SLACK_USERS.sam.id), user: undefined }), 'user'],
    ['team missing', FORM, () => interactionBody({ ...buttonClick('incident.ack', 'INC0001001', SLACK_USERS.sam.id), team: undefined, user: { id: 'U00FAKESAM1' } }), 'team'],
    ['view missing', FORM, () => interactionBody({ ...slackFixture<Record<string, unknown>>('view_submission.json'), view: undefined }), 'view'],
    ['team_id=constructor', FORM, () => slashCommandBody('/itsm', 'mine', { team_id: 'constructor' }), 'team_id'],
    ['user_id=__proto__', FORM, () => slashCommandBody('/itsm', 'mine', { user_id: '__proto__' }), 'user_id'],
    ['an Events API body that is an array', JSON_TYPE, () => '[]', 'JSON object'],
    ['a body of another content type', 'text/plain', () => 'hello', 'content-type'],
  ])('answers signed garbage with 400 naming the problem: %s', async (_name, contentType, body, problem) => {
    const response = await postToSlackEndpoint(slack.url, { body: body(), contentType });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text).error).toContain(problem);
  });

  it('answers a well-formed request that nothing handles at once: 404, and 200 for an event', async () => {
    const unknownButton = await postToSlackEndpoint(slack.url, { body: interactionBody(buttonClick('someone.else', 'INC0001001', SLACK_USERS.sam.id)), contentType: FORM });
    const closed = await postToSlackEndpoint(slack.url, { body: interactionBody(slackFixture('view_closed.json')), contentType: FORM });
    const command = await postToSlackEndpoint(slack.url, { body: slashCommandBody('/hello-bolt-js', ''), contentType: FORM });
    const event = slackFixture('event_app_mention.json');
    event.event.type = 'reaction_added';
    const unsubscribed = await postToSlackEndpoint(slack.url, { body: JSON.stringify(event), contentType: JSON_TYPE });
    expect([unknownButton.status, closed.status, command.status, unsubscribed.status]).toEqual([404, 404, 404, 200]);
    // Answered by the gate, before Bolt (which would hold them until its 3 s timeout and log it).
    expect(slack.logs.filter((l) => String(l.msg).includes('not acknowledged'))).toEqual([]);
    expect(judgeSlackRequest(FORM, interactionBody(slackFixture('view_closed.json')), SLACK_ROUTES)).toEqual({ kind: 'unhandled', status: 404 });
  });

  it("routes a click as the listener matches it: the action id, or a repeat of it on the card (`<id>#<n>`), nothing else", () => {
    const click = (actionId: string) => interactionBody(buttonClick(actionId, 'INC0001001', SLACK_USERS.sam.id));
    expect(judgeSlackRequest(FORM, click(INCIDENT_IDS.ack), SLACK_ROUTES).kind).toBe('pass');
    expect(judgeSlackRequest(FORM, click(`${INCIDENT_IDS.ack}#2`), SLACK_ROUTES).kind).toBe('pass');
    for (const actionId of [`${INCIDENT_IDS.ack}#x`, `${INCIDENT_IDS.ack}#2#3`, `${INCIDENT_IDS.ack}#`]) {
      expect(judgeSlackRequest(FORM, click(actionId), SLACK_ROUTES)).toEqual({ kind: 'unhandled', status: 404 });
    }
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('answers /itsm %s with the help', async (word) => {
    const response = await postToSlackEndpoint(slack.url, { body: slashCommandBody('/itsm', word, { response_url: slack.api.responseUrl() }), contentType: FORM });
    expect(response.status).toBe(200);
    await eventually(() => slack.api.callsOf('response_url').length === 1);
    expect(slack.api.callsOf('response_url')[0]!.args.text).toBe('opsdesk commands');
  });

  it('reads a modal whose block id is a prototype name as a plain value, the prototype untouched', () => {
    const state = JSON.parse('{"values":{"__proto__":{"x":{"type":"multi_static_select","selected_options":[{"value":"a"}]}}}}');
    const values = parseViewState({ state });
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
    expect(Object.hasOwn(values, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(values, '__proto__')?.value).toEqual(['a']);
  });

  it('answers a submission whose block id is a prototype name with the form\'s own field errors', async () => {
    const submission = slackFixture('view_submission.json');
    submission.view.callback_id = 'incident.report';
    submission.view.id = 'V-PROTO';
    submission.view.blocks = [{ type: 'input', block_id: '__proto__' }];
    submission.view.state = { values: { __proto__: { x: { type: 'multi_static_select', selected_options: [{ value: 'a' }] } } } };
    const raw = JSON.stringify(submission).replace('"values":{}', '"values":{"__proto__":{"x":{"type":"multi_static_select","selected_options":[{"value":"a"}]}}}');
    const response = await postToSlackEndpoint(slack.url, { body: new URLSearchParams({ payload: raw }).toString(), contentType: FORM });
    expect(response.status).toBe(200);
    // The report form's own fields are missing: the modal says so, field by field.
    expect(JSON.parse(response.text)).toMatchObject({ response_action: 'errors', errors: { summary: expect.any(String) } });
  });

  it("lets Slack's published signature test vector through the production verifier, and refuses it altered or stale", async () => {
    const vector = slackFixture('headers.json').signature_test_vector;
    const body = slackFixtureText(vector.body_file).replace(/\n$/, '');
    const timestamp = vector.request_headers['X-Slack-Request-Timestamp'] as string;
    const signature = vector.request_headers['X-Slack-Signature'] as string;
    // The vector is from 2018: the verifier's clock is fixed at its timestamp (or moved past the window).
    const server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      log: silentLogger(),
      databaseReady: async () => true,
      mount: (express) => {
        express.post('/now', verifySlackSignature(vector.signing_secret, () => Number(timestamp) * 1000), (req: RawBodyRequest, res) => res.json({ body: req.rawBody?.toString() }));
        express.post('/later', verifySlackSignature(vector.signing_secret, () => (Number(timestamp) + MAX_SKEW_SECONDS + 1) * 1000), (_req, res) => res.json({}));
      },
    });
    const post = (path: string, headers: Record<string, string>) =>
      fetch(`http://127.0.0.1:${server.port}${path}`, {
        method: 'POST',
        headers: { 'content-type': FORM, 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature, ...headers },
        body,
      });
    try {
      const accepted = await post('/now', {});
      expect(accepted.status).toBe(200);
      expect(await accepted.json()).toEqual({ body }); // passed on, with the bytes it verified
      const flipped = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;
      expect((await post('/now', { 'x-slack-signature': flipped })).status).toBe(401);
      expect((await post('/now', { 'x-slack-request-timestamp': String(Number(timestamp) + 1) })).status).toBe(401);
      expect((await post('/later', {})).status).toBe(401);
    } finally {
      await server.close(1_000);
    }
  });
});
