import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { INCIDENT_IDS } from '../src/views/incident-actions';
import { dispatch } from '../handlers/dispatch';
import { createApp } from '../src/app';
import { loadItsmConfig } from '../src/config/load-itsm-config';
import { connectDatabase } from '../src/db/connect';
import { createLogger } from '../src/logger';
import type { IncidentDoc } from '../src/models/incident.model';
import { INCIDENT_TIMERS } from '../src/services/incident-watch';
import { RecordingSlackApi } from '../test/support/slack/recording-slack-api';
import { percentile, report } from './measure';

const OPEN = Number(process.env.BENCH_SLA_OPEN ?? 100_000);
const DUE = Number(process.env.BENCH_SLA_DUE ?? 1_000);
const WORKERS = 2;
const CONFIG = join(__dirname, '..', '..', 'opsdesk.example.yml');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

interface Counts {
  commands: number;
  ticks: number;
  timers: number;
}

/**
 * The SLA scheduler at scale: OPEN open incidents with their SLA timers, of which DUE pass 50 %
 * of their resolution target within the same minute; two opsdesk processes (their own agenda,
 * wheel and Slack adapter) deliver the warnings to the recording Slack Web API. Each warning is two
 * messages: a line for the incident's channel and a DM to its assignee.
 */
export async function runSlaBench(uri: string): Promise<void> {
  const dbName = `bench_sla_${Date.now()}`;
  const database = await connectDatabase(uri, dbName, { monitorCommands: true });
  const log = createLogger(process.env.BENCH_LOG_LEVEL ?? 'silent');
  const app = await createApp({ database, config: await loadItsmConfig(CONFIG), log });
  const api = new RecordingSlackApi();
  await api.start();
  const workers: ChildProcess[] = [];
  try {
    const template = await templateIncident(app);
    const now = Date.now();
    const background = OPEN - DUE;
    // The others: 30-day targets started over the last week, so none falls due during the run.
    const seededAt = process.hrtime.bigint();
    await seed(app, template, background, (i) => ({ number: `INC${String(3_000_000 + i)}`, startedAt: new Date(now - ((i * 7919) % (7 * DAY))), resolveMinutes: 30 * 24 * 60 }));
    report('sla bench: open incidents seeded with their timers', background, `in ${(Number(process.hrtime.bigint() - seededAt) / 1e9).toFixed(1)} s`, 0);

    const idle = await measureIdleTick(database, app);
    report(`sla bench: database commands per idle tick (one shard, ${OPEN - DUE} open)`, idle.commands, '', 0);
    report('sla bench: idle tick duration', idle.ms, 'ms', 2);
    if (process.env.BENCH_SLA_DIAG) {
      const time = async (label: string, op: (i: number) => Promise<unknown>) => {
        const t = process.hrtime.bigint();
        for (let i = 0; i < 20; i++) await op(i);
        report(`diag ${label}`, Number(process.hrtime.bigint() - t) / 1e6 / 20, 'ms', 2);
      };
      await time('incident findById', (i) => app.database.models.Incident.findById(`INC${3_000_000 + i * 97}`).lean());
      await time('timer findById', (i) => app.database.models.Timer.findById(`0:${i}:0`).lean());
      await time('marker findById', (i) => app.database.models.TimerIndex.findById(`minute:0:${i}`).lean());
      await time('cursor findById', () => app.database.models.TimerCursor.findById('cursor:0').lean());
      await time('cursor updateOne', () => app.database.models.TimerCursor.updateOne({ _id: 'cursor:0' }, { $set: { at: new Date() } }));
      await time('timer insert', (i) => app.database.models.Timer.collection.insertOne({ _id: `diag:${i}` } as never));
      await time('record key insert', (i) => app.database.models.RecordKey.collection.insertOne({ _id: `diag:${i}` } as never));
      await time('ping', () => app.database.ping());
      return;
    }

    for (let i = 0; i < WORKERS; i++) workers.push(await startWorker(uri, dbName, api.url));
    const before = await Promise.all(workers.map(countsOf));

    // The DUE incidents cross 50 % of a 2-hour target, spread over one minute starting soon.
    const minuteStart = Math.ceil((Date.now() + 20_000) / MINUTE) * MINUTE;
    const crossing = (i: number) => minuteStart + Math.floor((i * MINUTE) / DUE);
    await seed(app, template, DUE, (i) => ({ number: `INC${String(2_000_000 + i)}`, startedAt: new Date(crossing(i) - 60 * MINUTE), resolveMinutes: 120 }));
    const dueNumbers = new Set(Array.from({ length: DUE }, (_, i) => `INC${String(2_000_000 + i)}`));

    const expected = DUE * 2;
    const deadline = minuteStart + MINUTE + 5 * MINUTE;
    const notificationOf = (args: Record<string, unknown>) =>
      String((args.metadata as { event_payload?: { notification_id?: string } } | undefined)?.event_payload?.notification_id ?? '');
    const delivered = () => api.callsOf('chat.postMessage').filter((c) => c.ts && dueNumbers.has(notificationOf(c.args).split(':')[0] ?? ''));
    while (delivered().length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const posts = delivered();
    const after = await Promise.all(workers.map(countsOf));

    const ids = posts.map((c) => notificationOf(c.args));
    const last = Math.max(...posts.map((c) => c.at));
    const latencies = posts
      .map((c, k) => c.at - crossing(Number((ids[k] ?? "").slice(3, 10)) - 2_000_000))
      .sort((a, b) => a - b);
    const commands = after.reduce((sum, c, k) => sum + c.commands - (before[k] as Counts).commands, 0);
    const ticks = after.reduce((sum, c, k) => sum + c.ticks - (before[k] as Counts).ticks, 0);
    const timers = after.reduce((sum, c, k) => sum + c.timers - (before[k] as Counts).timers, 0);

    report('sla bench: warnings delivered (channel line + assignee DM each)', posts.length, `of ${expected}`, 0);
    report('sla bench: duplicates', posts.length - new Set(ids).size, '', 0);
    report('sla bench: time from the start of the minute to the last delivery', (last - minuteStart) / 1000, 's', 1);
    report('sla bench: time from the last crossing to the last delivery', (last - (minuteStart + MINUTE)) / 1000, 's', 1);
    report('sla bench: crossing → delivery p50', percentile(latencies, 50) / 1000, 's', 1);
    report('sla bench: crossing → delivery max', (latencies[latencies.length - 1] ?? NaN) / 1000, 's', 1);
    report('sla bench: ticks worked by the two processes', ticks, '', 0);
    report('sla bench: timers fired', timers, '', 0);
    report('sla bench: database commands per tick while the warnings went out (agenda included)', commands / Math.max(ticks, 1), '', 1);
    // Named as the issue names it, so runs can be compared.
    report('database commands per delivered message', commands / Math.max(posts.length, 1), '', 1);
  } finally {
    for (const worker of workers) worker.send({ type: 'stop' });
    await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
    await api.stop();
    await database.connection.dropDatabase().catch(() => {});
    await database.close();
  }
}

/** An incident made by the report handler, to copy: acknowledged, assigned to Minji, on the around-the-clock calendar. */
async function templateIncident(app: Awaited<ReturnType<typeof createApp>>): Promise<IncidentDoc> {
  const requester = await app.ctx.people.actorFor({ platform: 'slack', userId: 'UBENCHREQ1', email: 'jamie.song@example.com' });
  const result = await dispatch(app.ctx, app.registry, app.log, {
    handlerId: INCIDENT_IDS.report,
    actor: requester,
    input: { summary: 'Bench template', service: 'vpn', impact: 'medium', urgency: 'medium' },
  });
  const incident = (await app.ctx.incidents.findById(result.announcements[0]?.recordId as string)) as IncidentDoc;
  return {
    ...incident,
    state: 'in_progress',
    acknowledgedAt: new Date(),
    acknowledgedById: 'email:minji.kim@example.com',
    acknowledgedByName: 'Minji Kim',
    assigneeId: 'email:minji.kim@example.com',
    assigneeName: 'Minji Kim',
    sla: { ...incident.sla, calendarKey: 'around-the-clock' },
  };
}

/** Inserts `count` copies of the template and sets each one's next SLA timer (its 50 % instant). */
async function seed(
  app: Awaited<ReturnType<typeof createApp>>,
  template: IncidentDoc,
  count: number,
  vary: (i: number) => { number: string; startedAt: Date; resolveMinutes: number },
): Promise<void> {
  const batch = 1_000;
  for (let from = 0; from < count; from += batch) {
    const docs: IncidentDoc[] = [];
    const timers: { kind: string; ref: string; dueAt: Date }[] = [];
    for (let i = from; i < Math.min(count, from + batch); i++) {
      const { number, startedAt, resolveMinutes } = vary(i);
      const resolutionDueAt = new Date(startedAt.getTime() + resolveMinutes * MINUTE);
      docs.push({
        ...template,
        _id: number,
        number,
        title: `Bench incident ${i}`,
        dedupeKey: `bench:${number}`,
        sla: { ...template.sla, startedAt, resolveMinutes, respondMinutes: 15, responseDueAt: new Date(startedAt.getTime() + 15 * MINUTE), resolutionDueAt },
        createdAt: startedAt,
        updatedAt: startedAt,
      });
      timers.push({ kind: INCIDENT_TIMERS.sla, ref: number, dueAt: new Date(startedAt.getTime() + (resolveMinutes * MINUTE) / 2) });
    }
    await app.database.models.Incident.collection.insertMany(docs as never[]);
    await app.jobs.wheel.scheduleMany(timers);
  }
}

async function measureIdleTick(database: Awaited<ReturnType<typeof connectDatabase>>, app: Awaited<ReturnType<typeof createApp>>): Promise<{ commands: number; ms: number }> {
  await app.jobs.wheel.tick(0); // catch the cursor up first
  await new Promise((r) => setTimeout(r, 5_500)); // then one tick interval later, as agenda runs it
  let commands = 0;
  const count = () => void (commands += 1);
  const client = database.connection.getClient();
  client.on('commandStarted', count);
  const started = process.hrtime.bigint();
  await app.jobs.wheel.tick(0);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  client.off('commandStarted', count);
  return { commands, ms };
}

function startWorker(uri: string, dbName: string, apiUrl: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const worker = fork(join(__dirname, 'sla-worker.js'), [uri, dbName, apiUrl, CONFIG], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    worker.once('message', (message: { type: string }) => (message.type === 'ready' ? resolve(worker) : reject(new Error(`unexpected ${message.type}`))));
    worker.once('exit', (code) => reject(new Error(`the SLA bench worker exited with ${code}`)));
  });
}

function countsOf(worker: ChildProcess): Promise<Counts> {
  return new Promise((resolve) => {
    const listener = (message: { type: string } & Counts) => {
      if (message.type !== 'counts') return;
      worker.off('message', listener);
      resolve(message);
    };
    worker.on('message', listener);
    worker.send({ type: 'counts' });
  });
}
