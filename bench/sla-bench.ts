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

const STORM_SERVICES = ['vpn', 'email', 'laptops'];
const STORM_ASSIGNEES = [
  { email: 'minji.kim@example.com', name: 'Minji Kim', slack: 'U0MINJI' },
  { email: 'sam.lee@example.com', name: 'Sam Lee', slack: 'U00FAKESAM1' },
  { email: 'alex.park@example.com', name: 'Alex Park', slack: 'U00FAKEALX1' },
] as const;

/** The most messages any one channel received in a minute, per second. */
function busiestChannelRate(posts: { at: number; channel?: string }[]): number {
  const byChannel = new Map<string, number[]>();
  for (const post of posts) byChannel.set(post.channel ?? '', [...(byChannel.get(post.channel ?? '') ?? []), post.at]);
  let busiest = 0;
  for (const times of byChannel.values()) {
    times.sort((a, b) => a - b);
    for (let first = 0, last = 0; last < times.length; last++) {
      while ((times[last] as number) - (times[first] as number) >= 60_000) first++;
      busiest = Math.max(busiest, last - first + 1);
    }
  }
  return busiest / 60;
}

interface Counts {
  commands: number;
  byKind: Record<string, number>;
  ticks: number;
  timers: number;
}

/**
 * The SLA scheduler at scale (the storm): OPEN open incidents with their SLA timers, of which DUE
 * pass 50 % of their resolution target within the same minute; two opsdesk processes (their own
 * agenda, wheel and Slack adapter) deliver the warnings to the recording Slack Web API, which
 * enforces Slack's rate limits. Each warning is two messages: a line in the incident card's thread
 * and a DM to its assignee; what would wait too long for its channel is gathered into a digest.
 */
export async function runSlaBench(uri: string): Promise<void> {
  const dbName = `bench_sla_${Date.now()}`;
  const database = await connectDatabase(uri, dbName, { monitorCommands: true });
  const log = createLogger(process.env.BENCH_LOG_LEVEL ?? 'silent');
  const app = await createApp({ database, config: await loadItsmConfig(CONFIG), log });
  const api = new RecordingSlackApi();
  await api.start();
  for (const a of STORM_ASSIGNEES) api.users.set(a.slack, { id: a.slack, name: a.name, email: a.email });
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

    // The DUE incidents cross 50 % of a 2-hour target, spread over one minute starting soon; they
    // are spread over the services (so their channels) and over three assignees, and each has its
    // card in its service's channel, where its warning goes as a thread line.
    const minuteStart = Math.ceil((Date.now() + 20_000) / MINUTE) * MINUTE;
    const crossing = (i: number) => minuteStart + Math.floor((i * MINUTE) / DUE);
    const numberOf = (i: number) => `INC${String(2_000_000 + i)}`;
    await seed(app, template, DUE, (i) => ({
      number: numberOf(i),
      startedAt: new Date(crossing(i) - 60 * MINUTE),
      resolveMinutes: 120,
      service: STORM_SERVICES[i % STORM_SERVICES.length] as string,
      assignee: STORM_ASSIGNEES[i % STORM_ASSIGNEES.length] as (typeof STORM_ASSIGNEES)[number],
    }));
    for (let i = 0; i < DUE; i++) {
      const service = STORM_SERVICES[i % STORM_SERVICES.length] as string;
      await app.cards.remember(numberOf(i), 'slack', app.ctx.catalog.channelFor(service, 'slack') as string, `1690000000.${String(i).padStart(6, '0')}`);
    }
    const dmChannels = new Set(STORM_ASSIGNEES.map((a) => `D${a.slack}`));

    // Delivered = the warning reached its place: the line (its thread, or a channel digest listing
    // it) and the assignee's DM (a card, or a DM digest listing it).
    const posted = () => api.calls.filter((c) => c.ts || (c.method === 'chat.update' && !c.limited));
    const deliveries = () => {
      const line = new Map<string, { at: number; messages: Set<string> }>();
      const dm = new Map<string, { at: number; messages: Set<string> }>();
      const digestChannel = new Map<string, string>();
      for (const call of posted()) {
        if (call.method === 'chat.postMessage' && call.ts) digestChannel.set(call.ts, call.channel ?? '');
        const channel = call.method === 'chat.update' ? (digestChannel.get(String(call.args.ts)) ?? String(call.args.channel)) : (call.channel ?? '');
        const messageId = call.method === 'chat.update' ? String(call.args.ts) : (call.ts as string);
        const notification = String((call.args.metadata as { event_payload?: { notification_id?: string } } | undefined)?.event_payload?.notification_id ?? '');
        const numbers = notification ? [notification.split(':')[0] as string] : (String(call.args.text ?? '').match(/INC2\d{6}/g) ?? []);
        for (const number of numbers) {
          const into = dmChannels.has(channel) ? dm : line;
          const seen = into.get(number) ?? { at: call.at, messages: new Set<string>() };
          seen.at = Math.min(seen.at, call.at);
          seen.messages.add(messageId);
          into.set(number, seen);
        }
      }
      return { line, dm };
    };
    const deadline = minuteStart + MINUTE + 5 * MINUTE;
    for (;;) {
      const { line, dm } = deliveries();
      if ((line.size >= DUE && dm.size >= DUE) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    // Edits of digests still under way settle.
    await new Promise((r) => setTimeout(r, 5_000));
    const { line, dm } = deliveries();
    const after = await Promise.all(workers.map(countsOf));

    const indexOf = (number: string) => Number(number.slice(3)) - 2_000_000;
    const dmLatencies = [...dm].map(([number, d]) => d.at - crossing(indexOf(number))).sort((a, b) => a - b);
    const allLatencies = [...line, ...dm].map(([number, d]) => d.at - crossing(indexOf(number))).sort((a, b) => a - b);
    const individualLines = api.callsOf('chat.postMessage').filter((c) => c.ts && c.args.thread_ts).length;
    const digestEntries = [...line.values()].filter((d) => ![...d.messages].some((m) => api.calls.some((c) => c.ts === m && c.args.thread_ts))).length;
    const duplicates = [...line.values(), ...dm.values()].filter((d) => d.messages.size > 1).length;
    const lost = DUE * 2 - line.size - dm.size;
    const commands = after.reduce((sum, c, k) => sum + c.commands - (before[k] as Counts).commands, 0);
    const ticks = after.reduce((sum, c, k) => sum + c.ticks - (before[k] as Counts).ticks, 0);
    const timers = after.reduce((sum, c, k) => sum + c.timers - (before[k] as Counts).timers, 0);

    report('sla bench: warnings delivered (channel line + assignee DM each)', line.size + dm.size, `of ${DUE * 2}`, 0);
    report('sla bench: crossing → delivery p50', percentile(allLatencies, 50) / 1000, 's', 1);
    report('sla bench: ticks worked by the two processes', ticks, '', 0);
    report('sla bench: timers fired', timers, '', 0);
    // Named as the issue names them, so runs can be compared.
    report('sla storm: crossing → DM delivered p99', percentile(dmLatencies, 99) / 1000, 's', 1);
    process.stdout.write(`sla storm: channel lines posted / coalesced: ${individualLines} / ${digestEntries}\n`);
    report('sla storm: slack 429 answers', api.limitedCalls.length, '', 0);
    report('sla storm: busiest channel messages per second (sustained)', busiestChannelRate(api.callsOf('chat.postMessage').filter((c) => c.ts)), '', 2);
    report('sla storm: duplicates', duplicates, '', 0);
    report('sla storm: lost', lost, '', 0);
    report('database commands per delivered message', commands / Math.max(line.size + dm.size, 1), '', 1);
    if (process.env.BENCH_SLA_COMMANDS) {
      // Where those commands went, per delivered message, most first.
      const byKind: Record<string, number> = {};
      after.forEach((c, k) => {
        for (const [kind, n] of Object.entries(c.byKind)) byKind[kind] = (byKind[kind] ?? 0) + n - ((before[k] as Counts).byKind[kind] ?? 0);
      });
      for (const [kind, n] of Object.entries(byKind).sort((a, b) => b[1] - a[1]).slice(0, 25)) {
        report(`sla storm: commands per delivered message: ${kind}`, n / Math.max(line.size + dm.size, 1), '', 2);
      }
    }
    // What the outbox says of the storm's messages at the end (to tell a slow delivery from a lost one).
    const stormIds = await app.database.models.Notification.find({ recordId: { $regex: '^INC2' } }).select({ _id: 1, recordId: 1, createdAt: 1 }).lean();
    // How late the checks ran (the wheel's lateness), apart from the wait for Slack after it.
    const storedLate = stormIds.map((n) => new Date(n.createdAt).getTime() - crossing(indexOf(n.recordId))).sort((a, b) => a - b);
    process.stdout.write(`sla bench: crossing → stored in the outbox p50 / p99: ${(percentile(storedLate, 50) / 1000).toFixed(1)} / ${(percentile(storedLate, 99) / 1000).toFixed(1)} s\n`);
    const finals = await app.database.models.NotificationAttempt.find({ _id: { $regex: '^INC2.*#final$' } }).lean();
    const refusals = await app.database.models.NotificationAttempt.find({ _id: { $regex: '^INC2.*!$' } }).lean();
    const errors = new Map<string, number>();
    for (const r of refusals) errors.set(String(r.error).replace(/\(.*\)/, '(…)'), (errors.get(String(r.error).replace(/\(.*\)/, '(…)')) ?? 0) + 1);
    process.stdout.write(`sla bench: storm notifications stored / delivered / failed: ${stormIds.length} / ${finals.filter((f) => f.outcome === 'delivered').length} / ${finals.filter((f) => f.outcome === 'failed').length}\n`);
    process.stdout.write(`sla bench: refusals on the way: ${JSON.stringify(Object.fromEntries(errors))}\n`);
    if (duplicates > 0) {
      // Where a warning was seen in more than one message, for the first few.
      const twice = [...line.entries(), ...dm.entries()].filter(([, d]) => d.messages.size > 1).slice(0, 3);
      for (const [n, d] of twice) {
        const seen = api.calls.filter((c) => JSON.stringify(c.args).includes(n)).map((c) => `${c.method} ${c.channel ?? c.args.channel} ${c.ts ?? c.args.ts}${c.args.thread_ts ? ` in ${c.args.thread_ts}` : ''}`);
        const mine = finals.filter((f) => f._id.startsWith(`${n}:`));
        process.stdout.write(`twice ${n}: messages ${JSON.stringify([...d.messages])} finals ${JSON.stringify(mine.map((f) => [f._id, f.attempt, f.location]))} calls ${JSON.stringify(seen)}\n`);
      }
    }
    if (process.env.BENCH_SLA_DIAG_LOST) {
      const lostNumbers = Array.from({ length: DUE }, (_, i) => numberOf(i)).filter((n) => !line.has(n) || !dm.has(n)).slice(0, 3);
      for (const n of lostNumbers) {
        const mine = finals.filter((f) => f._id.startsWith(`${n}:`));
        const seen = api.calls.filter((c) => JSON.stringify(c.args).includes(n)).map((c) => `${c.method} ${c.channel ?? c.args.channel} ${c.ts ?? c.args.ts}`);
        process.stdout.write(`lost ${n}: line ${line.has(n)} dm ${dm.has(n)} finals ${JSON.stringify(mine.map((f) => [f._id, f.location]))} calls ${JSON.stringify(seen)}\n`);
      }
    }
  } finally {
    for (const worker of workers) worker.send({ type: 'stop' });
    await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
    await api.stop();
    await database.drop().catch(() => {});
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
  vary: (i: number) => { number: string; startedAt: Date; resolveMinutes: number; service?: string; assignee?: (typeof STORM_ASSIGNEES)[number] },
): Promise<void> {
  const batch = 1_000;
  for (let from = 0; from < count; from += batch) {
    const docs: IncidentDoc[] = [];
    const timers: { kind: string; ref: string; dueAt: Date }[] = [];
    for (let i = from; i < Math.min(count, from + batch); i++) {
      const { number, startedAt, resolveMinutes, service, assignee } = vary(i);
      const resolutionDueAt = new Date(startedAt.getTime() + resolveMinutes * MINUTE);
      docs.push({
        ...template,
        _id: number,
        number,
        title: `Bench incident ${i}`,
        dedupeKey: `bench:${number}`,
        ...(service ? { service } : {}),
        ...(assignee ? { assigneeId: `email:${assignee.email}`, assigneeName: assignee.name } : {}),
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
