import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { INCIDENT_IDS } from '../src/views/incident-actions';
import { dispatch } from '../handlers/dispatch';
import { createApp } from '../src/app';
import { loadItsmConfig } from '../src/config/load-itsm-config';
import { connectDatabase } from '../src/db/connect';
import { startHttpServer } from '../src/server/http-server';
import { createSlackAdapter, SLACK_EVENTS_PATH } from '../adapters/slack/slack-app';
import { encodeActionValue } from '../adapters/slack/render/action-value';
import { RecordingSlackApi } from '../test/support/slack/recording-slack-api';
import { SIGNING_SECRET, interactionBody } from '../test/support/slack/signed-request';
import { FUZZ_SEED, SLACK_FUZZ_KINDS, describeRequest, malformedRequests, sendAllSigned, sendSigned, type MalformedRequest } from '../test/support/slack/malformed-payloads';

/** Signed malformed requests in all, spread evenly over the kinds (BENCH_FUZZ_REQUESTS). */
const FUZZ_REQUESTS = Number(process.env.BENCH_FUZZ_REQUESTS ?? 10_000);
/** Distinct requests per kind with side effects, each delivered twice (BENCH_RETRY_REQUESTS). */
const RETRY_REQUESTS = Number(process.env.BENCH_RETRY_REQUESTS ?? 20);
const CONCURRENCY = 16;
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const RETRY_HEADERS = { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' };

// The ids the generator's payloads carry: Jamie reports, Sam is an agent of the VPN's group.
const JAMIE = { id: 'U00FAKEUSR1', name: 'Jamie Song', email: 'jamie.song@example.com', tz: 'Asia/Seoul', locale: 'en-US' };
const SAM = { id: 'U00FAKESAM1', name: 'Sam Lee', email: 'sam.lee@example.com', tz: 'Asia/Seoul', locale: 'en-US' };

/** Where /itsm's response_urls lead: every reply recorded under its own path. */
async function startResponseRecorder(): Promise<{ server: Server; url: (id: string) => string; posts: Map<string, number> }> {
  const posts = new Map<string, number>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      posts.set(req.url ?? '', (posts.get(req.url ?? '') ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { server, posts, url: (id) => `http://127.0.0.1:${port}/${id}` };
}

/** One request Slack delivers twice, and how to tell how many times it was answered. */
interface Retried {
  kind: string;
  key: string;
  body: string;
  contentType: string;
  answers: () => number | Promise<number>;
}

/**
 * The Slack edge under attack and under Slack's own retries: signed malformed requests of every
 * kind (the generator of the fuzz test, same seed), counted by 5xx answers; then requests with side
 * effects each delivered twice (X-Slack-Retry-Num: 1), counted by those answered twice.
 */
export async function runSlackFuzzBench(uri: string): Promise<void> {
  const database = await connectDatabase(uri, `bench_slack_fuzz_${Date.now()}`);
  const api = new RecordingSlackApi();
  await api.start();
  for (const user of [JAMIE, SAM]) api.users.set(user.id, user);
  const responses = await startResponseRecorder();
  // The app's log is kept: a retry tells that it found its request claimed.
  const entries: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => entries.push(JSON.parse(line) as Record<string, unknown>) });
  const app = await createApp({ database, config: await loadItsmConfig(join(__dirname, '..', '..', 'opsdesk.example.yml')), log });
  const http = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    log: pino({ level: 'silent' }),
    databaseReady: database.ping,
    mount: (express) => createSlackAdapter(app, { signingSecret: SIGNING_SECRET, botToken: 'xoxb-bench', apiUrl: api.url }, express),
  });
  const url = `http://127.0.0.1:${http.port}${SLACK_EVENTS_PATH}`;
  try {
    // Malformed requests: every kind, the same seed as the test suite.
    const kinds = SLACK_FUZZ_KINDS.length;
    const requests: MalformedRequest[] = SLACK_FUZZ_KINDS.flatMap((kind, k) =>
      malformedRequests(kind, Math.floor(FUZZ_REQUESTS / kinds) + (k < FUZZ_REQUESTS % kinds ? 1 : 0), { responseUrl: api.responseUrl('fuzz'), seed: FUZZ_SEED }),
    );
    const outcomes = await sendAllSigned(url, requests, { concurrency: CONCURRENCY });
    const failed = outcomes.filter((o) => o.status >= 500);
    process.stdout.write(`slack fuzz: 5xx answers: ${failed.length} of ${requests.length}\n`);
    for (const o of failed.slice(0, 10)) process.stderr.write(`slack fuzz 5xx: ${o.status} ← ${describeRequest(o.request, 300)}\n`);
    const unanswered = outcomes.filter((o) => o.status === 0).length;
    if (unanswered > 0) process.stderr.write(`slack fuzz: ${unanswered} requests got no answer\n`);

    // Requests with side effects, each delivered twice.
    const requester = await app.ctx.people.actorFor({ platform: 'slack', userId: JAMIE.id, email: JAMIE.email });
    await app.ctx.people.actorFor({ platform: 'slack', userId: SAM.id, email: SAM.email });
    const incidents: string[] = [];
    for (let i = 0; i < RETRY_REQUESTS; i++) {
      const result = await dispatch(app.ctx, app.registry, log, {
        handlerId: INCIDENT_IDS.report,
        actor: requester,
        input: { summary: `Retry bench ${i}`, service: 'vpn', impact: 'medium', urgency: 'medium' },
      });
      incidents.push(result.announcements[0]?.recordId as string);
    }
    api.clear();
    const posts = (method: string, match: (args: Record<string, unknown>) => boolean) => api.callsOf(method).filter((c) => match(c.args)).length;
    const retried: Retried[] = [];
    for (let i = 0; i < RETRY_REQUESTS; i++) {
      const incident = incidents[i] as string;
      const command = new URLSearchParams({
        token: 'FAKEverificationTOKEN000', team_id: 'T00FAKE0001', team_domain: 'fake-itsm-workspace', channel_id: 'C00FAKECHN1', channel_name: 'random',
        user_id: JAMIE.id, user_name: 'jamie', command: '/itsm', text: 'mine', api_app_id: 'A00FAKEAPP1', is_enterprise_install: 'false',
        response_url: responses.url(`itsm-${i}`), trigger_id: `retry.itsm.${i}`,
      }).toString();
      retried.push({ kind: '/itsm mine', key: `command:retry.itsm.${i}`, body: command, contentType: FORM, answers: () => responses.posts.get(`/itsm-${i}`) ?? 0 });

      const click = interactionBody({
        type: 'block_actions', user: { id: SAM.id }, api_app_id: 'A00FAKEAPP1', team: { id: 'T00FAKE0001' }, trigger_id: `retry.click.${i}`,
        container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0SERVICEDESK', is_ephemeral: false }, channel: { id: 'C0SERVICEDESK' },
        response_url: api.responseUrl(`click-${i}`),
        actions: [{ type: 'button', action_id: INCIDENT_IDS.resolveForm, block_id: `actions:${incident}`, value: encodeActionValue({ recordId: incident }), action_ts: '1700000000.000200' }],
      });
      retried.push({
        kind: 'button click',
        key: `block_actions:retry.click.${i}`,
        body: click,
        contentType: FORM,
        // The resolve form opens on the click's own trigger; a refusal would come privately.
        answers: () => posts('views.open', (a) => a.trigger_id === `retry.click.${i}`) + posts('chat.postEphemeral', (a) => a.user === SAM.id && String(a.text).includes(incident)),
      });

      const summary = `Retry report ${i}`;
      const submission = interactionBody({
        type: 'view_submission', team: { id: 'T00FAKE0001' }, user: { id: JAMIE.id, team_id: 'T00FAKE0001' }, api_app_id: 'A00FAKEAPP1', trigger_id: `retry.view.${i}`,
        view: {
          id: `VRETRY${i}`, type: 'modal', callback_id: INCIDENT_IDS.report, private_metadata: JSON.stringify({ channel: 'C00FAKECHN1' }),
          blocks: [{ type: 'input', block_id: 'summary' }],
          state: {
            values: {
              summary: { summary: { type: 'plain_text_input', value: summary } },
              service: { service: { type: 'static_select', selected_option: { value: 'vpn' } } },
              impact: { impact: { type: 'static_select', selected_option: { value: 'low' } } },
              urgency: { urgency: { type: 'static_select', selected_option: { value: 'low' } } },
            },
          },
        },
      });
      retried.push({
        kind: 'view submission',
        key: `view_submission:retry.view.${i}`,
        body: submission,
        contentType: FORM,
        // Told twice, or two incidents for one view.
        answers: async () =>
          Math.max(
            posts('chat.postEphemeral', (a) => a.user === JAMIE.id && String(a.text).includes(`: ${summary}. `)),
            await database.models.Incident.countDocuments({ dedupeKey: `slack:view:VRETRY${i}` }),
          ),
      });

      const ts = `1700000100.${String(i).padStart(6, '0')}`;
      retried.push({
        kind: 'app_mention',
        key: `event:EvRETRYMENTION${i}`,
        body: JSON.stringify({
          token: 'FAKEverificationTOKEN000', team_id: 'T00FAKE0001', api_app_id: 'A00FAKEAPP1', type: 'event_callback', event_id: `EvRETRYMENTION${i}`, event_time: 1700000100,
          event: { type: 'app_mention', user: JAMIE.id, text: `<@U00FAKEBOT1> what about ${incident}?`, ts, channel: 'C00FAKECHN1', event_ts: ts },
          authorizations: [{ enterprise_id: null, team_id: 'T00FAKE0001', user_id: 'U00FAKEBOT1', is_bot: true, is_enterprise_install: false }],
        }),
        contentType: JSON_TYPE,
        answers: () => posts('chat.postMessage', (a) => a.thread_ts === ts),
      });

      // A person of their own per request: App Home is published to them.
      const visitor = `URETRYHOME${i}`;
      retried.push({
        kind: 'app_home_opened',
        key: `event:EvRETRYHOME${i}`,
        body: JSON.stringify({
          token: 'FAKEverificationTOKEN000', team_id: 'T00FAKE0001', api_app_id: 'A00FAKEAPP1', type: 'event_callback', event_id: `EvRETRYHOME${i}`, event_time: 1700000100,
          event: { type: 'app_home_opened', user: visitor, channel: 'D00FAKEDM01', tab: 'home', event_ts: ts },
          authorizations: [{ enterprise_id: null, team_id: 'T00FAKE0001', user_id: 'U00FAKEBOT1', is_bot: true, is_enterprise_install: false }],
        }),
        contentType: JSON_TYPE,
        answers: () => posts('views.publish', (a) => a.user_id === visitor),
      });
    }

    // Each request, then at once its retry, 8 requests at a time.
    let next = 0;
    const refused: string[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < retried.length) {
          const request = retried[next++] as Retried;
          const body = Buffer.from(request.body);
          const delivery = { kind: 'slash_command' as const, index: 0, label: request.kind, body, contentType: request.contentType };
          const first = await sendSigned(url, { ...delivery, headers: {} });
          const retry = await sendSigned(url, { ...delivery, headers: RETRY_HEADERS });
          if (first.status !== 200 || retry.status !== 200) refused.push(`${request.kind} ${request.key}: ${first.status}/${retry.status}`);
        }
      }),
    );
    // Settled when every request was answered and its retry either told it was one or answered too.
    const retryLogged = (key: string) => entries.some((e) => e.requestKey === key && String(e.msg).startsWith('Slack request already handled'));
    const settled = async (r: Retried) => {
      const answers = await r.answers();
      return answers >= 2 || (answers >= 1 && retryLogged(r.key));
    };
    const deadline = Date.now() + 60_000;
    let pending = retried;
    while (pending.length > 0 && Date.now() < deadline) {
      const states = await Promise.all(pending.map(settled));
      pending = pending.filter((_, i) => !states[i]);
      if (pending.length > 0) await new Promise((r) => setTimeout(r, 50));
    }
    const counts = await Promise.all(retried.map(async (r) => ({ r, answers: await r.answers() })));
    const twice = counts.filter((c) => c.answers >= 2);
    process.stdout.write(`slack retries answered twice: ${twice.length} of ${retried.length}\n`);
    for (const c of twice.slice(0, 10)) process.stderr.write(`slack retry answered ${c.answers} times: ${c.r.kind} ${c.r.key}\n`);
    for (const r of pending.slice(0, 10)) process.stderr.write(`slack retry not settled in 60 s: ${r.kind} ${r.key} (${await r.answers()} answers)\n`);
    for (const line of refused.slice(0, 10)) process.stderr.write(`slack retry not acknowledged with 200: ${line}\n`);
  } finally {
    await http.close(2000);
    await api.stop();
    responses.server.closeAllConnections();
    await new Promise<void>((resolve) => responses.server.close(() => resolve()));
    await database.drop();
    await database.close();
  }
}
