import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createApp, type App } from '../src/app';
import { loadItsmConfig } from '../src/config/load-itsm-config';
import { connectDatabase } from '../src/db/connect';
import { createLogger } from '../src/logger';
import { TimerWheel } from '../src/services/timer-wheel';
import type { GaugeSummary } from '../src/server/load-watch';
import { RecordingSlackApi } from '../test/support/slack/recording-slack-api';
import { SIGNING_SECRET } from '../test/support/slack/signed-request';
import { SLACK_USERS } from '../test/support/slack/slack-harness';
import { percentile, report } from './measure';
import { benchRequesters, insertClosedHistory, reportOpenIncidents } from './seed-history';
import { SoakLog, type LateSeen } from './soak-log';
import { runSoakTraffic } from './soak-traffic';

const MINUTES = Number(process.env.BENCH_SOAK_MINUTES ?? 30);
const RATE = Number(process.env.BENCH_SOAK_RPS ?? 30);
const CLOSED = Number(process.env.BENCH_SOAK_CLOSED ?? 100_000);
const OPEN = Number(process.env.BENCH_SOAK_OPEN ?? 2_000);
const SAMPLE_EVERY_MS = 10_000;

/** Resident memory of a process, from /proc (Linux), in MB; NaN when it cannot be read. */
function residentMegabytes(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** The machine's CPU time so far, busy and in all (jiffies of every core), from /proc/stat (Linux); zeros when it cannot be read. */
function machineCpu(): { busy: number; all: number } {
  try {
    const times = (/^cpu\s+(.*)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1] ?? '').split(/\s+/).map(Number);
    const all = times.reduce((a, b) => a + b, 0);
    // idle and iowait
    return { busy: all - (times[3] ?? 0) - (times[4] ?? 0), all };
  } catch {
    return { busy: 0, all: 0 };
  }
}

/** A load line's gauges, each as its mean/max over the minute. */
function describeLoad(load: Record<string, GaugeSummary> | undefined): string {
  if (!load) return 'not told';
  return Object.entries(load).map(([name, g]) => `${name} ${g.mean}/${g.max}`).join(', ');
}

/** Timers begun late, by kind, most first: `incident.escalation 12 (at most 45 s late), …`. */
function describeLate(late: Map<string, LateSeen> | undefined): string {
  const kinds = [...(late ?? [])].sort((a, b) => b[1].count - a[1].count);
  return kinds.length > 0 ? kinds.map(([kind, l]) => `${kind} ${l.count} (at most ${(l.mostLateMs / 1000).toFixed(0)} s late)`).join(', ') : 'none';
}

/**
 * The real process (dist/src/main.js) on a database holding 100,000 closed and 2,000 open
 * incidents, under the mix of Slack requests seen in use at 30 requests/s for 30 minutes: what is
 * acknowledged within Slack's 3 s, what fails, and the memory of both processes as it goes.
 */
export async function runSoakBench(uri: string): Promise<void> {
  const dbName = `bench_soak_${Date.now()}`;
  const database = await connectDatabase(uri, dbName);
  const api = new RecordingSlackApi();
  await api.start();
  for (const user of Object.values(SLACK_USERS)) api.users.set(user.id, user);
  // The employees who report (as the seeded history's requesters), known to Slack, in no configuration.
  const employees = Array.from({ length: 200 }, (_, i) => ({ id: `U0SOAK${String(i).padStart(4, '0')}`, name: `Employee ${i}`, email: `employee${i}@example.com`, tz: 'Asia/Seoul', locale: 'en-US' }));
  for (const user of employees) api.users.set(user.id, user);
  const config = await loadItsmConfig(join(__dirname, '..', '..', 'opsdesk.example.yml'));
  let child: ReturnType<typeof spawn> | undefined;
  // Ended in `finally` too: traffic that fails must not leave it sampling a database closed there.
  let sampler: NodeJS.Timeout | undefined;
  try {
    // The open incidents as a desk that has watched them holds them: their SLA and escalation timers set.
    const seeding = await createApp({ database, config, log: createLogger('silent') });
    const requesters = await benchRequesters(seeding, 200);
    // A desk in use: its employees have talked to it on Slack before (the newcomers' burst is a test of its own).
    for (const employee of employees) await seeding.ctx.people.actorFor({ platform: 'slack', userId: employee.id, email: employee.email, name: employee.name });
    const sam = await seeding.ctx.people.actorFor({ platform: 'slack', userId: SLACK_USERS.sam.id, email: SLACK_USERS.sam.email });
    const open = await reportOpenIncidents(seeding, requesters, OPEN, 0, sam);
    await seeding.jobs.wheel.idle();
    await insertClosedHistory(database, open[0] as string, CLOSED);
    await settleWheel(seeding);
    process.stderr.write(`soak: ${CLOSED} closed and ${open.length} open incidents in the database\n`);

    const { MONGODB_URI: _ignored, ...inherited } = process.env;
    // Started as `npm start` starts it (its Node options and malloc setting included): the script `exec`s node, so the pid is node's.
    const start = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
    // --trace-gc: the heap's live set after each full collection, printed per minute.
    const extra = `--trace-gc ${process.env.BENCH_SOAK_NODE_ARGS ?? ''}`;
    const command = start.replace(/(^|\s)exec node /, `$1exec "${process.execPath}" ${extra} `);
    // Not exec'ed, the pid would be the shell's, and its memory would be measured instead of node's.
    if (command === start) throw new Error(`the soak cannot find \`exec node\` in the start script: ${start}`);
    child = spawn('sh', ['-c', command], {
      cwd: join(__dirname, '..', '..'),
      env: {
        ...inherited,
        PORT: '0',
        LOG_LEVEL: 'info',
        MONGODB_URI: uri,
        MONGODB_DB: dbName,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_BOT_TOKEN: 'xoxb-soak',
        SLACK_API_URL: api.url,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const log = new SoakLog();
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`opsdesk did not start within 5 min: ${log.lastLines.join('\n')}`)), 300_000);
      child!.once('exit', (code) => reject(new Error(`opsdesk exited with ${String(code)}: ${log.lastLines.join('\n')}`)));
      createInterface({ input: child!.stdout! }).on('line', (line) => {
        const listening = log.read(line);
        if (listening) {
          clearTimeout(timer);
          resolve(listening);
        }
      });
    });

    // How far the process's timer wheel lies behind, from its cursors: what counts of timers begun
    // late leave out. Made before the traffic's start, so the first reading is taken as it starts.
    const cursors = new TimerWheel(database.models, () => new Date(), createLogger('silent'));
    const dbPid = Number(process.env.BENCH_DB_PID) || undefined;
    const samples: { atMs: number; node: number; db: number; threads: string; cpu: { busy: number; all: number } }[] = [];
    const started = Date.now();
    log.trafficStarted = started;
    const takeSample = () => {
      const threads = [...log.heaps.values()].map((h) => `${h.live.toFixed(0)}/${h.committed.toFixed(0)}`).join(', ');
      samples.push({ atMs: Date.now() - started, node: residentMegabytes(child?.pid), db: residentMegabytes(dbPid), threads, cpu: machineCpu() });
    };
    const behind: { atMs: number; firstLane: number; behindLane: number }[] = [];
    const takeBehind = () => void cursors.behindMs().then((b) => behind.push({ atMs: Date.now() - started, ...b }), () => undefined);
    // A reading as the traffic starts: the first minute's busy share is measured from it.
    takeSample();
    sampler = setInterval(() => {
      takeSample();
      takeBehind();
    }, SAMPLE_EVERY_MS);
    const result = await runSoakTraffic({
      url,
      ratePerSecond: RATE,
      seconds: MINUTES * 60,
      employees: employees.map((e) => e.id),
      agents: [SLACK_USERS.sam.id, SLACK_USERS.minji.id, SLACK_USERS.alex.id],
      channels: Array.from({ length: 20 }, (_, i) => `C0SOAKCH${String(i).padStart(2, '0')}`),
      incidents: open,
      responseUrl: api.responseUrl('soak'),
    });
    clearInterval(sampler);

    // Every report answered 200 becomes an incident (its retry key names it), within a minute.
    const deadline = Date.now() + 60_000;
    let missing = result.reports;
    while (missing.length > 0 && Date.now() < deadline) {
      const found = await Promise.all(missing.map((viewId) => database.models.RecordKey.findById(`dedupe:slack:view:${viewId}`).lean()));
      missing = missing.filter((_, i) => !found[i]);
      if (missing.length > 0) await new Promise((r) => setTimeout(r, 2_000));
    }

    for (const [what, count] of [...log.errorKinds].sort((a, b) => b[1] - a[1]).slice(0, 8)) process.stderr.write(`soak error logged ${count}×: ${what}\n`);
    for (const [what, count] of [...log.warningKinds].sort((a, b) => b[1] - a[1]).slice(0, 8)) process.stderr.write(`soak warning logged ${count}×: ${what}\n`);
    for (const line of log.slowness.slice(0, 30)) process.stderr.write(`soak slowness, ${line}\n`);
    process.stderr.write(`soak by kind: ${JSON.stringify(result.byKind)}\n`);
    const limited: Record<string, number> = {};
    for (const call of api.limitedCalls) limited[call.method] = (limited[call.method] ?? 0) + 1;
    process.stderr.write(`soak Slack calls answered 429, by method: ${JSON.stringify(limited)}\n`);
    // Which pacing missed: each refused call's channel and what it carried, beside the calls into that channel just before it.
    for (const call of api.limitedCalls.slice(0, 5)) {
      const before = api.calls.filter((c) => c.args.channel === call.args.channel && c.at <= call.at && c.at > call.at - 3_000).map((c) => `${c.method}${c.args.thread_ts ? ' (thread)' : ''} +${c.at - call.at} ms${c.limited ? ' refused' : ''}`);
      process.stderr.write(`soak 429: ${call.method} into ${String(call.args.channel)} ${JSON.stringify(call.args.metadata ?? {})}; the 3 s before: ${before.join(', ')}\n`);
    }
    // Where it went wrong, if it did: each minute's requests and both processes' memory at its end.
    result.minutes.forEach((m, i) => {
      const sample = samples.filter((s) => s.atMs <= (i + 1) * 60_000).at(-1);
      const live = log.liveAfterFullGc.filter((g) => g.atMs <= (i + 1) * 60_000).at(-1);
      const before = samples.filter((s) => s.atMs <= i * 60_000).at(-1);
      const busy = sample && before ? (100 * (sample.cpu.busy - before.cpu.busy)) / (sample.cpu.all - before.cpu.all || 1) : NaN;
      const wheel = mostBehind(behind.filter((b) => b.atMs > i * 60_000 && b.atMs <= (i + 1) * 60_000));
      process.stderr.write(
        `soak minute ${i + 1}: machine busy ${busy.toFixed(0)} %, sent ${m.sent}, turned away ${m.turnedAway}, late ${m.late}, failed ${m.failed}, p99 ${percentile(m.latencies.sort((a, b) => a - b), 99).toFixed(0)} ms, errors logged ${log.errorsByMinute[i] ?? 0}; node ${sample?.node.toFixed(0) ?? '?'} MB (heap live after the last full collection ${live?.mb.toFixed(0) ?? '?'} MB; each thread's heap, live after a full collection / taken: ${sample?.threads ?? '?'} MB), database ${sample?.db.toFixed(0) ?? '?'} MB; timers late: ${describeLate(log.lateByMinute[i])}; timer wheel behind (most, first lane / lane behind): ${wheel}; deliveries late: ${describeLate(log.lateDeliveriesByMinute[i])}; load (mean/max): ${describeLoad(log.loadByMinute[i])}\n`,
      );
    });
    const name = `soak ${MINUTES} min at ${RATE} req/s (mixed)`;
    // A click turned away is answered 200 like one taken in (its person is told through its response URL): counted from the log.
    const takenIn = result.acknowledgedInTime - (log.turnedAway - result.turnedAway);
    process.stdout.write(`${name}: acknowledged within 3 s: ${takenIn} of ${result.sent}\n`);
    report('soak turned away at once as busy', log.turnedAway, '(told to try again; events answered 503 for Slack to resend)', 0);
    process.stderr.write(`soak timers begun 30 s or more after their due time, by kind: ${describeLate(log.lateTimers)}\n`);
    process.stderr.write(`soak deliveries made 30 s or more after they were stored, by audience: ${describeLate(log.lateDeliveries)}\n`);
    process.stderr.write(`soak timer wheel behind the present, at most (first lane / lane behind): ${mostBehind(behind)}; at the end: ${mostBehind(behind.slice(-1))}\n`);
    if (log.turnedAway > 0) process.stderr.write(`soak turned away because of: ${[...log.turnedAwayBecause].map(([why, n]) => `${why} ${n}`).join(', ')}\n`);
    report('soak p99 ack', percentile(result.latencies.sort((a, b) => a - b), 99), 'ms', 0);
    report('soak failures', result.failures + missing.length + log.errors, `(answered other than 200: ${result.failures}; reports without an incident: ${missing.length}; errors logged: ${log.errors})`, 0);
    const at = (fraction: number) => samples.reduce((best, s) => (Math.abs(s.atMs - fraction * MINUTES * 60_000) < Math.abs(best.atMs - fraction * MINUTES * 60_000) ? s : best), samples[0]!);
    const marks = [at(1 / 6), at(1 / 2), at(1)];
    const minutes = marks.map((m) => Math.round(m.atMs / 60_000)).join(' / ');
    process.stdout.write(
      `soak resident memory at ${minutes} min: node ${marks.map((m) => m.node.toFixed(0)).join(' / ')} MB, database ${marks.map((m) => m.db.toFixed(0)).join(' / ')} MB\n`,
    );
  } finally {
    clearInterval(sampler);
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await api.stop();
    await database.drop();
    await database.close();
  }
}

/** The most each lane was behind in `readings`, in seconds. */
function mostBehind(readings: readonly { firstLane: number; behindLane: number }[]): string {
  if (readings.length === 0) return '?';
  // NaN (a lane without cursors) prints as NaN, not as a lane keeping up.
  const most = (lane: 'firstLane' | 'behindLane') => Math.max(...readings.map((r) => r[lane])) / 1000;
  return `${most('firstLane').toFixed(0)} / ${most('behindLane').toFixed(0)} s`;
}

/**
 * A desk in use has its timer wheel's cursors near the present: the process that set its timers
 * also passed their buckets. The seeding app sets them (and runs each at once) but runs no
 * scheduler, so without this the soak's process would begin by passing every bucket of the
 * seeding's minutes, and the soak's first minutes would measure that catching-up rather than the
 * traffic. Passed here, after the buckets' settling time: what ran at once is not run again.
 */
async function settleWheel(seeding: App): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 9_000));
  for (let passes = 0; passes < 100; passes++) {
    const report = await seeding.jobs.wheel.tickAll();
    if (report.buckets === 0 && report.timers === 0) return;
  }
  throw new Error('the seeded desk\'s timer wheel did not reach the present');
}
