import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connectDatabase, type Database } from '../../src/db/connect';
import { SIGNING_SECRET, interactionBody, postToSlackEndpoint } from '../support/slack/signed-request';
import { reportSubmission, reportValues } from '../support/slack/payloads';
import { RecordingSlackApi } from '../support/slack/recording-slack-api';
import { SLACK_USERS, eventually } from '../support/slack/slack-harness';

const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');
const ROOT = join(__dirname, '..', '..');
const FORM = 'application/x-www-form-urlencoded';

interface Running {
  child: ChildProcessWithoutNullStreams;
  url: string;
  exited: Promise<number | null>;
  logs: Record<string, unknown>[];
}

/** The real process on the test's database server, its Slack Web API the recorder. */
async function startOpsdesk(dbName: string, api: RecordingSlackApi): Promise<Running> {
  const { MONGODB_URI: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: {
      ...inherited,
      PORT: '0',
      LOG_LEVEL: 'info',
      MONGODB_URI: process.env.OPSDESK_TEST_MONGODB_URI as string,
      MONGODB_DB: dbName,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: api.url,
      // A dead process's work is taken over after 5 s instead of 30.
      OPSDESK_TAKEOVER_SECONDS: '5',
      // Only the reports this test sends are counted: no first-start samples beside them.
      OPSDESK_SAMPLES: 'off',
    },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const logs: Record<string, unknown>[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`opsdesk did not start: ${JSON.stringify(logs.slice(-5))}`)), 60_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (typeof entry.url === 'string' && String(entry.msg).startsWith('opsdesk listening')) {
          clearTimeout(timer);
          resolve(`${entry.url}/slack/events`);
        }
      } catch {
        // not a log line
      }
    });
  });
  return { child, url, exited, logs };
}

/** Reports sent as Slack sends them, `perSecond`, until `stopAfter` resolves; returns the view ids answered 200. */
async function reportUnderLoad(url: () => string, prefix: string, count: number, perSecond: number, onSent: (sent: number) => void): Promise<string[]> {
  const acknowledged: string[] = [];
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const viewId = `${prefix}-${i}`;
    const body = interactionBody(reportSubmission(viewId, reportValues(`Outage report ${viewId}`), SLACK_USERS.jamie.id));
    pending.push(
      postToSlackEndpoint(url(), { body, contentType: FORM })
        .then((response) => {
          if (response.status === 200) acknowledged.push(viewId);
        })
        .catch(() => undefined),
    );
    onSent(i + 1);
    await new Promise((r) => setTimeout(r, 1000 / perSecond));
  }
  await Promise.all(pending);
  return acknowledged;
}

describe('work acknowledged to Slack survives the process (real process, real HTTP, real database)', () => {
  let api: RecordingSlackApi;
  let database: Database;
  const dbName = `acknowledged_${process.pid}`;
  const running: Running[] = [];

  beforeAll(async () => {
    api = new RecordingSlackApi();
    await api.start();
    for (const user of Object.values(SLACK_USERS)) api.users.set(user.id, user);
    database = await connectDatabase(process.env.OPSDESK_TEST_MONGODB_URI as string, dbName);
  });
  afterAll(async () => {
    for (const r of running) r.child.kill('SIGKILL');
    await database.drop();
    await database.close();
    await api.stop();
  });

  /** Every acknowledged report has its incident, once, and its channel card (or, the channel backed up, its line in the channel's digest of new tickets). */
  async function expectNothingLost(acknowledged: string[]) {
    const keys = acknowledged.map((id) => `slack:view:${id}`);
    await eventually(async () => (await database.models.Incident.countDocuments({ dedupeKey: { $in: keys } })) === keys.length, 60_000).catch(() => undefined);
    const incidents = await database.models.Incident.find({ dedupeKey: { $in: keys } }).lean();
    const found = new Set(incidents.map((i) => i.dedupeKey));
    // What became of a lost one: its intake record, and what the processes logged about it.
    const lost = await Promise.all(
      acknowledged
        .filter((id) => !found.has(`slack:view:${id}`))
        .map(async (id) => ({
          id,
          intake: await database.models.Intake.findById(`slack:view_submission:${id}.trigger`).lean(),
          logged: running.flatMap((r) => r.logs).filter((l) => Number(l.level) >= 40 && JSON.stringify(l).includes(id)),
        })),
    );
    expect({ acknowledged: keys.length, withIncident: found.size, incidents: incidents.length, lost }).toEqual({
      acknowledged: keys.length,
      withIncident: keys.length,
      incidents: keys.length,
      lost: [],
    });
    const locationOf = (id: string) => database.models.CardLocation.findById(`${id}:slack`).lean();
    const cardOf = async (id: string) => {
      const location = await locationOf(id);
      return Boolean(location?.messageId || location?.foldedInto);
    };
    // Cards go out a message a second into their channel (Slack's limit), beyond a few seconds'
    // backlog listed in its digest instead; those in flight when a process was killed go out again
    // once their lease (2 minutes) is over.
    await eventually(async () => (await Promise.all(incidents.map((i) => cardOf(i._id)))).every(Boolean), 240_000).catch(() => undefined);
    const withoutCard = [];
    for (const incident of incidents) if (!(await cardOf(incident._id))) withoutCard.push(incident._id);
    expect(withoutCard).toEqual([]);
    // Each card posted once in its channel, and each reporter told (through both lives of the process).
    const cardPosts = (id: string) =>
      api.callsOf('chat.postMessage').filter((c) => c.ts && !c.args.thread_ts && (c.args.metadata as { event_payload?: { record_id?: string } } | undefined)?.event_payload?.record_id === id).length;
    const listed = async (id: string) => {
      const digest = (await locationOf(id))?.foldedInto;
      return digest ? (await database.models.DigestLine.countDocuments({ _id: `${digest}#${id}` })) === 1 : false;
    };
    // Posted once, or listed (and never posted meanwhile): never both, never twice.
    const shown = await Promise.all(incidents.map(async (i) => ({ id: i._id, posts: cardPosts(i._id), listed: await listed(i._id) })));
    expect(shown.filter((c) => (c.listed ? c.posts !== 0 : c.posts !== 1))).toEqual([]);
    // Told where they reported, or (the workspace's ephemerals backed up) in their direct message.
    const told = (id: string) => api.calls.some((c) => ['chat.postEphemeral', 'chat.postMessage'].includes(c.method) && !c.limited && String(c.args.text).startsWith(`${id} is open`));
    // One person reporting a hundred times: beyond the ephemerals' wait, their DM takes one a second.
    await eventually(() => incidents.every((i) => told(i._id)), 240_000).catch(() => undefined);
    expect(incidents.filter((i) => !told(i._id)).map((i) => i._id)).toEqual([]);
    // Within Slack's limits by pacing: what leaves through the outbox never met a 429.
    // (Named by channel, what it was and when, so that a failure says which pacing missed.)
    const limited = api.limitedCalls.filter((c) => ['chat.postMessage', 'chat.update', 'chat.postEphemeral'].includes(c.method));
    const sameChannel = (c: { method: string; args: Record<string, unknown>; at: number }) =>
      api.calls.filter((o) => o.args.channel === c.args.channel && o.method === c.method && o.at > c.at - 4000 && o.at <= c.at).map((o) => `${o.at - c.at} ms${o.limited ? ' (429)' : ''}`);
    expect(limited.map((c) => ({ call: `${c.method} ${String(c.args.channel)} at ${c.at}`, metadata: c.args.metadata, before: sameChannel(c) }))).toEqual([]);
  }

  it('kill -9 during 50 submissions/s: after a restart every acknowledged report has its incident and card', async () => {
    // Slack answers slowly, so the work after each acknowledgement is in flight when the process dies.
    api.latencyMs = 300;
    let opsdesk = await startOpsdesk(dbName, api);
    running.push(opsdesk);
    let killed = false;
    const acknowledged = await reportUnderLoad(() => opsdesk.url, 'V-KILL', 100, 50, (sent) => {
      if (sent === 75 && !killed) {
        killed = true;
        opsdesk.child.kill('SIGKILL');
      }
    });
    await opsdesk.exited;
    api.latencyMs = 0;
    opsdesk = await startOpsdesk(dbName, api);
    running.push(opsdesk);
    expect(acknowledged.length).toBeGreaterThan(15);
    await expectNothingLost(acknowledged);
    // The restart replayed what the killed process had acknowledged and not finished.
    expect(opsdesk.logs.find((l) => l.msg === 'replayed acknowledged requests whose process stopped before finishing them')?.replayed).toBeGreaterThan(0);
    opsdesk.child.kill('SIGTERM');
    expect(await opsdesk.exited).toBe(0);
  }, 720_000);

  it('SIGTERM during 100 submissions/s: exits 0 with what it acknowledged stored; what it had not posted yet, the next process posts', async () => {
    api.latencyMs = 100;
    const opsdesk = await startOpsdesk(dbName, api);
    running.push(opsdesk);
    // The thread answering Slack goes first on a busy core: the work thread runs 10 nice values lower.
    // Field 19 of a thread's stat, counted after its name (which may hold ") "); a thread gone meanwhile is skipped.
    const niceOf = (tid: string) => {
      try {
        const stat = readFileSync(`/proc/${opsdesk.child.pid}/task/${tid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      } catch {
        return undefined;
      }
    };
    const base = niceOf(String(opsdesk.child.pid)) as number;
    // Already run at the lowest priorities, there is nothing lower to tell apart.
    if (base <= 9) expect(readdirSync(`/proc/${opsdesk.child.pid}/task`).map(niceOf).filter((nice) => nice === base + 10)).toHaveLength(1);
    let stopped = false;
    const acknowledged = await reportUnderLoad(() => opsdesk.url, 'V-TERM', 80, 100, (sent) => {
      if (sent === 40 && !stopped) {
        stopped = true;
        opsdesk.child.kill('SIGTERM');
      }
    });
    expect(await opsdesk.exited).toBe(0);
    expect(acknowledged.length).toBeGreaterThan(15);
    // A stop is no failure: what it leaves to the next process is said once, in its own summary
    // (`stopping with …`), not as a warning or an error for each request or message.
    const alarms = opsdesk.logs.filter((l) => Number(l.level) >= 40 && !String(l.msg).startsWith('stopping with'));
    expect(alarms.map((l) => `${String(l.msg)}: ${JSON.stringify(l.err ?? l.error ?? '')}`.slice(0, 300))).toEqual([]);
    // Every report it acknowledged exists: done before the process let go of the database.
    const keys = acknowledged.map((id) => `slack:view:${id}`);
    expect(await database.models.Incident.countDocuments({ dedupeKey: { $in: keys } })).toBe(keys.length);
    // Its messages waiting for their channel's turn were handed back as due now: the next process
    // posts them at once, not after their lease.
    const next = await startOpsdesk(dbName, api);
    running.push(next);
    await expectNothingLost(acknowledged);
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
  }, 720_000);
});
