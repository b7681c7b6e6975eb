import { INCIDENT_IDS } from '../src/views/incident-actions';
import { dispatch } from '../handlers/dispatch';
import { createApp } from '../src/app';
import { WORK_THREAD_LOWER_BY } from '../src/config/env';
import { loadItsmConfig } from '../src/config/load-itsm-config';
import { connectDatabase } from '../src/db/connect';
import { createLogger } from '../src/logger';
import { startHttpServer } from '../src/server/http-server';
import { createSlackAdapter, SLACK_EVENTS_PATH } from '../adapters/slack/slack-app';
import { encodeActionValue } from '../adapters/slack/render/action-value';
import { SlackApiThread } from './slack-api-thread';
import { SIGNING_SECRET, interactionBody, postToSlackEndpoint } from '../test/support/slack/signed-request';
import { runOpenLoopLoad } from './open-loop-load';
import { join } from 'node:path';
import { countCommandsByKind, percentile, rawInsertRate, report } from './measure';
import { insertClosedHistory } from './seed-history';
import { WorkThread } from '../src/server/work-thread';
import { workThreadDatabaseUri } from '../src/db/work-thread-pool';
import { SLACK_WORK_THREAD_FILE, type SlackWorkThreadData } from '../src/slack-work-thread';
import type { HandOff } from '../adapters/slack/slack-context';

const RATE_PER_SECOND = Number(process.env.BENCH_SLACK_RPS ?? 100);
const SECONDS = Number(process.env.BENCH_SLACK_SECONDS ?? 30);
/**
 * Sent at the same rate before the measured requests, and reported apart: a process's first
 * requests after its start compile the answering path and open the database pool's connections
 * (in one run, 14 of the first 100 took 30 to 94 ms, a third of a p99's 30).
 */
const WARMUP_SECONDS = Number(process.env.BENCH_SLACK_WARMUP_SECONDS ?? 2);
const SUBMISSIONS = 1000;
/** History in the database while the acknowledgements are measured: a request must not cost more with it. */
const CLOSED = Number(process.env.BENCH_SLACK_CLOSED ?? 100_000);
const FORM = 'application/x-www-form-urlencoded' as const;

const users = [
  { id: 'UBENCHREQ1', name: 'Jamie Song', email: 'jamie.song@example.com' },
  { id: 'UBENCHAGT1', name: 'Sam Lee', email: 'sam.lee@example.com' },
];

/**
 * Slack's figures: acknowledgement latency of signed slash commands and button clicks sent at a
 * steady rate (open loop: a request leaves every 1/rate s whatever the earlier ones do), and
 * incidents per second through view_submission; the Web API is the recording stand-in.
 */
export async function runSlackBench(uri: string): Promise<void> {
  const databaseName = `bench_slack_${Date.now()}`;
  const database = await connectDatabase(uri, databaseName, { monitorCommands: Boolean(process.env.BENCH_SLACK_COMMANDS) });
  const api = await SlackApiThread.start(users);
  const logLevel = process.env.BENCH_LOG_LEVEL ?? 'silent';
  const log = createLogger(logLevel);
  const configPath = join(__dirname, '..', '..', 'opsdesk.example.yml');
  const app = await createApp({ database, config: await loadItsmConfig(configPath), log });
  // As `npm start` runs Slack over HTTP: the work after each acknowledgement in the thread that
  // answers (BENCH_SLACK_WORK_THREAD=off, as OPSDESK_WORK_THREAD=off), or in a thread of its own (the default).
  const work =
    process.env.BENCH_SLACK_WORK_THREAD === 'off'
      ? undefined
      : await WorkThread.start<HandOff>(
          SLACK_WORK_THREAD_FILE,
          { role: 'slack-work-thread', databaseUri: workThreadDatabaseUri(uri), databaseName, configPath, logLevel, sharedClock: false, lowerBy: Number(process.env.BENCH_SLACK_WORK_THREAD_LOWER_BY ?? WORK_THREAD_LOWER_BY), app: {}, slack: { botToken: 'xoxb-bench', apiUrl: api.url } } satisfies SlackWorkThreadData,
          (reason) => log.fatal({ reason }, 'the Slack work thread is lost'),
        );
  report('slack bench: work after the acknowledgement in its own thread', work ? 1 : 0, '(1 yes, 0 no)', 0);
  if (work) report('slack bench: nice values the work thread runs lower', Number(process.env.BENCH_SLACK_WORK_THREAD_LOWER_BY ?? WORK_THREAD_LOWER_BY), '', 0);
  const http = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    log,
    databaseReady: database.ping,
    mount: (express) =>
      createSlackAdapter(app, { signingSecret: SIGNING_SECRET, botToken: 'xoxb-bench', apiUrl: api.url, handOff: work ? (request) => work.hand(request) : undefined }, express),
  });
  const url = `http://127.0.0.1:${http.port}${SLACK_EVENTS_PATH}`;
  try {
    // Incidents for the agents to acknowledge, one click each.
    const requester = await app.ctx.people.actorFor({ platform: 'slack', userId: users[0]!.id, email: users[0]!.email });
    await app.ctx.people.actorFor({ platform: 'slack', userId: users[1]!.id, email: users[1]!.email });
    const total = RATE_PER_SECOND * SECONDS;
    const warmup = RATE_PER_SECOND * WARMUP_SECONDS;
    const incidents: string[] = [];
    // One to acknowledge for each click, the warm-up's included.
    for (let i = 0; i < Math.ceil((total + warmup) / 2); i++) {
      const result = await dispatch(app.ctx, app.registry, log, {
        handlerId: INCIDENT_IDS.report,
        actor: requester,
        input: { summary: `Bench ${i}`, service: 'vpn', impact: 'medium', urgency: 'medium' },
      });
      incidents.push(result.announcements[0]?.recordId as string);
    }
    await insertClosedHistory(database, incidents[0] as string, CLOSED);
    report('slack bench: closed incidents in the database', CLOSED, '', 0);
    // The yardstick the acknowledgement's figures are read beside (the aim names ~1,100/s).
    report('slack bench: raw insertOne (same run)', await rawInsertRate(database), 'documents/s');

    const commandBody = (i: number) =>
      new URLSearchParams({
        token: 'FAKEverificationTOKEN000', team_id: 'T00FAKE0001', team_domain: 'fake-itsm-workspace', channel_id: 'C00FAKECHN1',
        channel_name: 'random', user_id: users[0]!.id, user_name: 'jamie', command: '/incident', text: 'Mail is down on floor 3', api_app_id: 'A00FAKEAPP1',
        is_enterprise_install: 'false', response_url: api.responseUrl(`c${i}`), trigger_id: `bench.command.${i}`,
      }).toString();
    const clickBody = (i: number) =>
      interactionBody({
        type: 'block_actions', user: { id: users[1]!.id }, api_app_id: 'A00FAKEAPP1', team: { id: 'T00FAKE0001' }, trigger_id: `bench.click.${i}`,
        container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0SERVICEDESK', is_ephemeral: false },
        channel: { id: 'C0SERVICEDESK' }, response_url: api.responseUrl(`a${i}`),
        actions: [{ type: 'button', action_id: INCIDENT_IDS.ack, block_id: `actions:${incidents[i]}`, value: encodeActionValue({ recordId: incidents[i % incidents.length] as string }), action_ts: '1700000000.000200' }],
      });

    // The warm-up's commands and clicks first (their own trigger ids and incidents), then the measured ones.
    const bodies = Array.from({ length: warmup + total }, (_, i) => {
      const kind = i < warmup ? 'warm-up ' : '';
      return i % 2 === 0 ? { kind: `${kind}command`, body: commandBody(i / 2) } : { kind: `${kind}click`, body: clickBody((i - 1) / 2) };
    });
    const commands = process.env.BENCH_SLACK_COMMANDS ? countCommandsByKind(database.connection.getClient()) : undefined;
    const loopBefore = performance.eventLoopUtilization();
    const load = await runOpenLoopLoad({ url, ratePerSecond: RATE_PER_SECOND, bodies });
    const loopBusy = performance.eventLoopUtilization(loopBefore).utilization;
    const latencies = { command: (load.latencies.command ?? []).sort((a, b) => a - b), click: (load.latencies.click ?? []).sort((a, b) => a - b) };
    const all = [...latencies.command, ...latencies.click].sort((a, b) => a - b);
    const warmedUp = [...(load.latencies['warm-up command'] ?? []), ...(load.latencies['warm-up click'] ?? [])].sort((a, b) => a - b);
    const { errors } = load;
    const elapsed = load.seconds;
    report('slack requests sent', total, `in ${(elapsed - WARMUP_SECONDS).toFixed(1)} s, after ${warmup} in ${WARMUP_SECONDS} s to warm up`, 0);
    if (warmedUp.length > 0) {
      report('slack ack latency p99 while warming up (not in the figures below)', percentile(warmedUp, 99), 'ms', 2);
      report('slack ack latency max while warming up', warmedUp[warmedUp.length - 1] ?? NaN, 'ms', 2);
    }
    report('slack ack latency p50 (commands and clicks)', percentile(all, 50), 'ms', 2);
    report('slack ack latency p99 (commands and clicks)', percentile(all, 99), 'ms', 2);
    report('slack ack latency p99 slash commands', percentile(latencies.command, 99), 'ms', 2);
    report('slack ack latency p99 button clicks', percentile(latencies.click, 99), 'ms', 2);
    report('slack ack latency max', all[all.length - 1] ?? NaN, 'ms', 2);
    report('slack request errors', errors, '', 0);
    // The thread that answers Slack (the recording stand-in of Slack's Web API has a thread of its own).
    report('slack answering thread busy during the load', loopBusy * 100, '%', 1);
    // The work after each acknowledgement finishes too: every command's modal (or its person told
    // to try again), every click's acknowledgement. The commands are watched through the recorder;
    // the audit is counted every 2 s only once they are done (a count reads every audit event).
    const deadline = Date.now() + 60_000;
    const acknowledged = () => database.models.AuditEvent.countDocuments({ action: 'acknowledge' });
    // 50 modals a second is far over views.open's 100 a minute: those without a turn in time are told to try again.
    const modals = () => api.count("(c) => c.method === 'views.open' && !c.limited");
    const toldToRetry = () =>
      api.count("(c) => c.method === 'response_url' && String(c.responseId).startsWith('c') && String(c.args.text).startsWith(\"opsdesk has reached Slack's rate limit\")");
    const sent = (total + warmup) / 2;
    while ((await modals()) + (await toldToRetry()) < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const auditDeadline = Date.now() + 60_000;
    while ((await acknowledged()) < sent && Date.now() < auditDeadline) await new Promise((r) => setTimeout(r, 2000));
    // Of the warm-up's and the measured requests together.
    report('slack modals opened after the acknowledgement', await modals(), `of ${sent}`, 0);
    report("slack commands told to try again (no turn within views.open's limit in time)", await toldToRetry(), `of ${sent}`, 0);
    report('slack calls Slack refused with 429', await api.count('(c) => Boolean(c.limited)'), '', 0);
    report('slack incidents acknowledged after the acknowledgement', await acknowledged(), `of ${sent}`, 0);
    if (commands) {
      // Where the load's commands went, most waited for first (BENCH_SLACK_COMMANDS=1): per request, and the time waited.
      commands.stop();
      const kinds = [...commands.byKind].sort((a, b) => (commands.msByKind.get(b[0]) ?? 0) - (commands.msByKind.get(a[0]) ?? 0)).slice(0, 25);
      for (const [kind, n] of kinds) report(`slack commands per request: ${kind}`, n / (total + warmup), `(${((commands.msByKind.get(kind) ?? 0) / n).toFixed(1)} ms each)`, 2);
    }

    // Incidents through view_submission, 4 at a time.
    const submission = (i: number) =>
      interactionBody({
        type: 'view_submission', team: { id: 'T00FAKE0001' }, user: { id: users[0]!.id }, api_app_id: 'A00FAKEAPP1', trigger_id: `bench.view.${i}`,
        view: {
          id: `VBENCH${i}`, type: 'modal', callback_id: INCIDENT_IDS.report, private_metadata: '{}', blocks: [{ type: 'input', block_id: 'summary' }],
          state: {
            values: {
              summary: { summary: { type: 'plain_text_input', value: `Submitted ${i}` } },
              service: { service: { type: 'static_select', selected_option: { value: 'email' } } },
              impact: { impact: { type: 'static_select', selected_option: { value: 'medium' } } },
              urgency: { urgency: { type: 'static_select', selected_option: { value: 'low' } } },
            },
          },
        },
      });
    let next = 0;
    let failed = 0;
    const viewStarted = performance.now();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < SUBMISSIONS) {
          const r = await postToSlackEndpoint(url, { body: submission(next++), contentType: FORM });
          if (r.status !== 200 || r.text !== '') failed++;
        }
      }),
    );
    // The modal closes at the acknowledgement; the incident follows. The clock stops when the
    // last reporter has been told their incident's number (watched through the recorder).
    const confirmed = () => api.count(`(c) => c.method === 'chat.postMessage' && c.args.channel === '${users[0]!.id}' && / is open: Submitted /.test(String(c.args.text))`);
    const viewDeadline = Date.now() + 60_000;
    while ((await confirmed()) < SUBMISSIONS - failed && Date.now() < viewDeadline) await new Promise((r) => setTimeout(r, 50));
    const viewSeconds = (performance.now() - viewStarted) / 1000;
    const created = await database.models.Incident.countDocuments({ dedupeKey: { $regex: '^slack:view:VBENCH' } });
    report('incidents created through view_submission', created / viewSeconds, 'incidents/s');
    report('view_submission failures', failed + (SUBMISSIONS - created), '', 0);
  } finally {
    await http.close(2000);
    await app.work.drain(10_000);
    await work?.stop(5_000);
    await api.stop();
    await database.drop();
    await database.close();
  }
}
