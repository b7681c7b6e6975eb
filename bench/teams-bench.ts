import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { randomUUID } from 'node:crypto';
import { dispatch } from '../handlers/dispatch';
import { createApp } from '../src/app';
import { loadItsmConfig } from '../src/config/load-itsm-config';
import { connectDatabase } from '../src/db/connect';
import { createLogger } from '../src/logger';
import { startHttpServer } from '../src/server/http-server';
import { INCIDENT_IDS } from '../src/views/incident-actions';
import { createTeamsAdapter, TEAMS_INVOKES, TEAMS_MESSAGES_PATH } from '../adapters/teams/teams-app';
import { BotConnectorStandIn, type TeamsMember } from '../test/support/teams/bot-connector-stand-in';
import { BOT_APP_ID, BotFrameworkKeyServer, SigningKey } from '../test/support/teams/bot-framework-keys';
import { percentile, rawInsertRate, report } from './measure';

const RATE_PER_SECOND = Number(process.env.BENCH_TEAMS_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_TEAMS_SECONDS ?? 30);
const CONFIG = join(__dirname, '..', '..', 'opsdesk.example.yml');
const TENANT = '00000000-0000-4000-8000-0000000000a1';
/** Incidents Jamie has open, so that `itsm mine` lists something. */
const JAMIE_OPEN = 10;

/** Teams users of the example configuration's people (as in test/support/teams/teams-harness.ts). */
const USERS = {
  jamie: { id: '29:1FakeUserIdForAcceptanceTests00000000000000000000000000000000000000000001', aadObjectId: '00000000-0000-4000-8000-0000000000c1', name: 'Jamie Song', email: 'jamie.song@example.com' },
  sam: { id: '29:1FakeSamUserId', aadObjectId: '00000000-0000-4000-8000-0000000000c2', name: 'Sam Lee', email: 'sam.lee@example.com' },
} satisfies Record<string, TeamsMember>;

const conversationOf = (user: TeamsMember) => ({ conversationType: 'personal', id: `a:bench-personal-${user.aadObjectId}`, tenantId: TENANT });
const from = (user: TeamsMember) => ({ id: user.id, name: user.name, aadObjectId: user.aadObjectId });
const recipient = { id: `28:${BOT_APP_ID}`, name: 'opsdesk' };
const clientInfo = { locale: 'en-US', country: 'US', platform: 'Web', timezone: 'Asia/Seoul', type: 'clientInfo' };

/** A personal-chat message, as the Connector sends it (the shape of test/fixtures/teams/message_personal.json). */
function personalMessage(serviceUrl: string, user: TeamsMember, text: string): object {
  const now = new Date().toISOString();
  return {
    type: 'message', id: `bench-${randomUUID()}`, timestamp: now, localTimestamp: now, serviceUrl, channelId: 'msteams', from: from(user),
    conversation: conversationOf(user), recipient, textFormat: 'plain', text, attachments: [], entities: [clientInfo], channelData: { tenant: { id: TENANT } }, locale: 'en-US',
  };
}

/** A Universal Action click on a card in the user's personal chat (the shape of invoke_adaptiveCard_action.json). */
function cardAction(serviceUrl: string, user: TeamsMember, verb: string, data: Record<string, unknown>, replyToId: string): object {
  const now = new Date().toISOString();
  return {
    type: 'invoke', name: TEAMS_INVOKES.cardAction, channelId: 'msteams', id: `f:${randomUUID()}`, serviceUrl,
    channelData: { tenant: { id: TENANT }, source: { name: 'message' } }, from: from(user), recipient, conversation: conversationOf(user), entities: [clientInfo],
    value: { action: { type: 'Action.Execute', title: verb, verb, data }, trigger: 'manual' }, timestamp: now, localTimestamp: now, replyToId, locale: 'en-US', localTimezone: 'Asia/Seoul',
  };
}

interface TeamsLoadPlan {
  url: string;
  ratePerSecond: number;
  /** Each request's kind, its body (an activity) and its bearer token, sent in order, one every 1/rate s. */
  requests: { kind: string; body: string; token: string }[];
}

interface TeamsLoadResult {
  latencies: Record<string, number[]>;
  errors: Record<string, number>;
  /** Non-2xx statuses seen, by status (network failures under 0). */
  statuses: Record<string, number>;
  /** Requests turned away at once as busy (503, or a click answered that opsdesk is busy), by kind. */
  busy: Record<string, number>;
  seconds: number;
}

/**
 * The load generator, run in a worker thread (it must not share the event loop of the server it
 * measures), plain JavaScript so that the worker loads nothing else. Open loop: a request leaves on
 * schedule whatever earlier ones do; its latency is from the send to the HTTP answer read in full.
 */
const LOAD_GENERATOR = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const plan = workerData;
  const latencies = {}, errors = {}, statuses = {}, busy = {};
  const pending = [];
  const started = performance.now();
  for (let i = 0; i < plan.requests.length; i++) {
    const wait = started + (i * 1000) / plan.ratePerSecond - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const { kind, body, token } = plan.requests[i];
    const sent = performance.now();
    pending.push(
      fetch(plan.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token }, body })
        .then(async (response) => {
          const answer = await response.text();
          (latencies[kind] ??= []).push(performance.now() - sent);
          // Turned away at once by the overload gate: a click told opsdesk is busy, a message 503.
          if (response.status === 503 || answer.includes('opsdesk is busy right now')) busy[kind] = (busy[kind] ?? 0) + 1;
          if (response.status < 200 || response.status > 299) {
            errors[kind] = (errors[kind] ?? 0) + 1;
            statuses[response.status] = (statuses[response.status] ?? 0) + 1;
          }
        })
        .catch(() => {
          errors[kind] = (errors[kind] ?? 0) + 1;
          statuses[-1] = (statuses[-1] ?? 0) + 1;
        }),
    );
  }
  await Promise.all(pending);
  parentPort.postMessage({ latencies, errors, statuses, busy, seconds: (performance.now() - started) / 1000 });
})();
`;

function runTeamsLoad(plan: TeamsLoadPlan): Promise<TeamsLoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD_GENERATOR, { eval: true, workerData: plan });
    worker.once('message', (result: TeamsLoadResult) => {
      void worker.terminate();
      resolve(result);
    });
    worker.once('error', reject);
  });
}

const withTimeout = (work: Promise<unknown>, ms: number) => Promise.race([work, new Promise((r) => setTimeout(r, ms))]);

/** `teams … latency p50/p99: N / M ms (K requests, E errors)`, over every request of the phase. */
function reportPhase(prefix: string, result: TeamsLoadResult, sent: number): void {
  const all = Object.values(result.latencies).flat().sort((a, b) => a - b);
  const errors = Object.values(result.errors).reduce((a, b) => a + b, 0);
  const busy = Object.values(result.busy).reduce((a, b) => a + b, 0);
  process.stdout.write(`${prefix} ${percentile(all, 50).toFixed(2)} / ${percentile(all, 99).toFixed(2)} ms (${sent} requests, ${errors} errors, ${busy} turned away as busy)\n`);
  const byKind = Object.entries(result.latencies)
    .map(([kind, latencies]) => {
      const sorted = latencies.sort((a, b) => a - b);
      return `${kind} ${percentile(sorted, 50).toFixed(2)} / ${percentile(sorted, 99).toFixed(2)} ms (${result.errors[kind] ?? 0} errors)`;
    })
    .join('; ');
  process.stdout.write(`${prefix.replace(' p50/p99:', '')} by kind p50/p99: ${byKind}; sent over ${result.seconds.toFixed(1)} s, max ${(all[all.length - 1] ?? NaN).toFixed(2)} ms\n`);
  if (errors > 0) process.stdout.write(`${prefix.replace(' latency p50/p99:', '')} error statuses: ${JSON.stringify(result.statuses)}\n`);
}

/**
 * Teams's figures: the HTTP answer's latency of signed activities into the real CloudAdapter on
 * the shared HTTP server, sent open-loop from a worker thread: (a) personal-chat messages
 * (`itsm mine`, `itsm help`, `incident <text>`), (b) Universal Action clicks acknowledging or
 * commenting on incidents reported beforehand, each on its own incident. The Bot Connector (replies,
 * card updates, member lookups, the bot's token) and its signing keys are stand-ins on 127.0.0.1.
 */
export async function runTeamsBench(uri: string): Promise<void> {
  const database = await connectDatabase(uri, `bench_teams_${Date.now()}`);
  const key = new SigningKey();
  const keys = new BotFrameworkKeyServer([key]);
  const connector = new BotConnectorStandIn();
  await Promise.all([keys.start(), connector.start()]);
  for (const user of Object.values(USERS)) connector.members.set(user.id, user);
  const log = createLogger(process.env.BENCH_LOG_LEVEL ?? 'silent');
  const app = await createApp({ database, config: await loadItsmConfig(CONFIG), log });
  const http = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    log,
    databaseReady: database.ping,
    mount: (express) =>
      void createTeamsAdapter(
        app,
        { appId: BOT_APP_ID, appPassword: 'bench-secret', appType: 'MultiTenant', openIdMetadataUrl: keys.openIdMetadataUrl, loginUrl: connector.loginUrl, tenants: ['00000000-0000-4000-8000-0000000000a1'] },
        express,
      ),
  });
  const url = `http://127.0.0.1:${http.port}${TEAMS_MESSAGES_PATH}`;
  const { serviceUrl } = connector;
  const idle = async () => {
    await withTimeout(app.work.drain(30_000), 30_000);
    await withTimeout(app.jobs.wheel.idle(), 30_000);
    await withTimeout(app.jobs.notifier.idle(), 30_000);
  };
  try {
    report('teams bench: raw insertOne (same run)', await rawInsertRate(database), 'documents/s');
    const total = Math.round(RATE_PER_SECOND * SECONDS);
    // The people as Teams shows them (tenant:AAD object id), known before the run as after a first message.
    const actor = (user: TeamsMember) => app.ctx.people.actorFor({ platform: 'teams', userId: `${TENANT}:${user.aadObjectId}`, name: user.name, email: user.email });
    const jamie = await actor(USERS.jamie);
    await actor(USERS.sam);
    const reportIncident = async (i: number) => {
      const result = await dispatch(app.ctx, app.registry, log, {
        handlerId: INCIDENT_IDS.report,
        actor: jamie,
        input: { summary: `Teams bench ${i}`, service: 'vpn', impact: 'medium', urgency: 'medium' },
      });
      const recordId = result.announcements[0]?.recordId;
      if (!recordId) throw new Error(`the report handler created no incident: ${JSON.stringify(result.views)}`);
      return recordId;
    };
    for (let i = 0; i < JAMIE_OPEN; i++) await reportIncident(-1 - i);

    // (a) messages in personal chats, a third each of `itsm mine`, `itsm help`, `incident <text>`, Jamie and Sam in turn.
    const texts = ['itsm mine', 'itsm help', 'incident VPN drops every few minutes'];
    const messages = Array.from({ length: total }, (_, i) => {
      const user = i % 2 === 0 ? USERS.jamie : USERS.sam;
      const text = texts[Math.floor(i / 2) % texts.length]!;
      return { kind: text.split(' ').slice(0, 2).join(' ').replace(/^incident .*/, 'incident <text>'), body: JSON.stringify(personalMessage(serviceUrl, user, text)), token: key.sign({ serviceUrl }) };
    });
    await idle();
    const messageLoad = await runTeamsLoad({ url, ratePerSecond: RATE_PER_SECOND, requests: messages });
    reportPhase('teams message latency p50/p99:', messageLoad, total);
    await idle();
    const replies = connector.posted().length;
    report('teams bench: replies posted to the Connector for the messages', replies, `of ${total}`, 0);
    connector.calls.length = 0;

    // (b) card actions: Sam acknowledges one incident and comments on the next, each click on its own incident.
    const incidents: { id: string; version: number }[] = [];
    for (let i = 0; i < total; i++) {
      const id = await reportIncident(i);
      incidents.push({ id, version: 0 });
    }
    await idle();
    const versions = new Map((await database.models.Incident.find({ _id: { $in: incidents.map((x) => x.id) } }, { version: 1 }).lean()).map((d) => [String(d._id), d.version as number]));
    const clicks = incidents.map(({ id }, i) => {
      const data = i % 2 === 0 ? { recordId: id, cardVersion: versions.get(id) } : { recordId: id, [`in:${id}:text`]: `Looking into it (${i})` };
      const verb = i % 2 === 0 ? INCIDENT_IDS.ack : INCIDENT_IDS.comment;
      return { kind: i % 2 === 0 ? 'acknowledge' : 'comment', body: JSON.stringify(cardAction(serviceUrl, USERS.sam, verb, data, `bench-card-${i}`)), token: key.sign({ serviceUrl }) };
    });
    const clickLoad = await runTeamsLoad({ url, ratePerSecond: RATE_PER_SECOND, requests: clicks });
    reportPhase('teams invoke (card action) latency p50/p99:', clickLoad, total);
    await idle();
    const ids = incidents.map((x) => x.id);
    const acknowledged = await database.models.Incident.countDocuments({ _id: { $in: ids.filter((_, i) => i % 2 === 0) }, acknowledgedAt: { $ne: null } });
    const commented = await database.models.Incident.countDocuments({ _id: { $in: ids.filter((_, i) => i % 2 === 1) }, 'comments.0': { $exists: true } });
    process.stdout.write(`teams bench: card actions that took effect: ${acknowledged} of ${Math.ceil(total / 2)} acknowledged, ${commented} of ${Math.floor(total / 2)} commented; cards updated in place: ${connector.updated().length}\n`);
  } finally {
    await http.close(2000);
    await idle().catch(() => undefined);
    await Promise.all([keys.stop(), connector.stop()]);
    await database.drop();
    await database.close();
  }
}
