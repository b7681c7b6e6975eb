import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pino from 'pino';
import type { Database } from '../../src/db/connect';
import { TIMER_SHARDS, TimerWheel, shardOf } from '../../src/services/timer-wheel';
import { SWEEP_JOB, isCheckAfterTheEnd, startScheduler, tickJobName, type Scheduler } from '../../jobs/scheduler';
import { TestClock } from '../support/factories';
import { eventually } from '../support/slack/slack-harness';
import { dropTestDatabase, openAgain, openTestDatabase } from '../support/test-database';

const silent = pino({ level: 'silent' });

/**
 * A bucket of the wheel is worked through only once it has settled (5 s buckets, 3 s settle):
 * moving the wheels' test clock on by this much makes a timer set "now" due at agenda's next tick.
 */
const SETTLED_MS = 10_000;

/**
 * Agenda itself, on real time, against the real server: the ticks, the locks, the errors. The
 * wheels read a test clock, moved on by the test so a timer falls due at once; only agenda's own
 * intervals and lock lifetime run on real time.
 */
describe('scheduler (agenda 6 over the shared connection)', () => {
  let database: Database;
  const schedulers: Scheduler[] = [];

  beforeEach(async () => {
    database = await openTestDatabase('scheduler');
  });
  afterEach(async () => {
    for (const s of schedulers.splice(0)) expect(await s.drain(5_000)).toEqual({ running: 0 });
    await dropTestDatabase(database);
  });

  // Agenda checks a running job's lock every lockLifetime/2 with a timer that outlives the job:
  // a short lifetime lets the test process exit promptly (under a second, which jest waits without
  // a warning); the ticks themselves take milliseconds.
  async function start(wheel: TimerWheel, lockLifetimeMs = 1_500, log = silent, renewLocksForMs?: number): Promise<Scheduler> {
    const scheduler = await startScheduler({ db: database.connection.db!, wheel, log, tickEvery: '1 second', processEvery: 200, lockLifetimeMs, renewLocksForMs });
    schedulers.push(scheduler);
    return scheduler;
  }

  it('runs the wheel from recurring agenda jobs, one per shard, created once by two processes', async () => {
    const clock = new TestClock(new Date());
    const fired: string[] = [];
    const wheels = [0, 1].map(() => new TimerWheel(database.models, clock.now, silent));
    for (const w of wheels) w.on('test', async (ref) => void fired.push(ref));
    const [wheel] = wheels as [TimerWheel, TimerWheel];
    await Promise.all(wheels.map((w) => start(w)));
    await wheel.schedule('test', 'soon', clock.now());
    clock.current = new Date(clock.current.getTime() + SETTLED_MS);
    // Both processes may lock a shard's job in the same instant (agenda's lock is a conditional
    // update, not atomic on FerretDB: docs/storage.md §1), so the timer may run twice: handlers
    // are idempotent. What must hold is that it ran, and that nothing else did.
    await eventually(() => fired.length >= 1, 10_000);
    expect(new Set(fired)).toEqual(new Set(['soon']));
    const jobs = await database.connection.db!.collection('agenda_jobs').find().toArray();
    expect(jobs.map((j) => j.name).sort()).toEqual([...Array.from({ length: TIMER_SHARDS }, (_, shard) => tickJobName(shard)), SWEEP_JOB].sort());
  }, 20_000);

  it("takes over a shard whose process stopped answering once its lock is no longer renewed; a process starting meanwhile frees nothing", async () => {
    const lockLifetimeMs = 2_000;
    // A stuck tick renews its lock for this long (3 minutes in a desk), then gives up.
    const renewLocksForMs = 4_000;
    const ref = 'takeover-1';
    const tickJob = () => database.connection.db!.collection('agenda_jobs').findOne({ name: tickJobName(shardOf(ref)) });
    // Each process reads its own clock: the timer falls due for the stuck process first.
    const now = new Date();
    const stuckClock = new TestClock(now);
    const healthyClock = new TestClock(now);

    // Both would call themselves host:pid; they are named to tell the lock's owner apart.
    const stuck = new TimerWheel(database.models, stuckClock.now, silent);
    const hung: string[] = [];
    const releases: (() => void)[] = [];
    stuck.on('test', (r) => new Promise<void>((resolve) => void (hung.push(r), releases.push(resolve)))); // never returns (until the end of the test)
    (await start(stuck, lockLifetimeMs, silent, renewLocksForMs)).agenda.name('stuck process');

    await stuck.schedule('test', ref, stuckClock.now());
    stuckClock.current = new Date(stuckClock.current.getTime() + SETTLED_MS);
    await eventually(() => hung.includes(ref), 10_000);
    // The shard's tick job is locked by the stuck process, which hangs inside it.
    const held = await tickJob();
    expect(held).toMatchObject({ lastModifiedBy: 'stuck process', lockedAt: expect.any(Date) });
    const stuckLockedAt = (held!.lockedAt as Date).getTime();

    // A second process starting now declares the same recurring jobs: the held lock stays held.
    const healthy = new TimerWheel(database.models, healthyClock.now, silent);
    const fired: { ref: string; at: number }[] = [];
    healthy.on('test', async (r) => void fired.push({ ref: r, at: Date.now() }));
    (await start(healthy, lockLifetimeMs, silent, renewLocksForMs)).agenda.name('healthy process');
    expect((await tickJob())?.lockedAt).toEqual(expect.any(Date));

    // The same shard's next timer; now due for the healthy process too.
    const second = Array.from({ length: 50 }, (_, i) => `takeover-${i + 2}`).find((r) => shardOf(r) === shardOf(ref))!;
    await healthy.schedule('test', second, healthyClock.now());
    healthyClock.current = new Date(stuckClock.current.getTime() + SETTLED_MS);

    // Once the stuck lock is older than the lock lifetime, the shard's tick job changes owner in
    // the database and the healthy process works the shard from where the stuck one hung: the
    // stuck timer fires again there (effects are idempotent), then the next one.
    // The stuck tick renews its lock a few times (a slow tick is not a dead one), then gives up.
    await eventually(async () => (((await tickJob())?.lockedAt as Date | undefined)?.getTime() ?? 0) > stuckLockedAt, 5_000);
    expect(await tickJob()).toMatchObject({ lastModifiedBy: 'stuck process' });
    await eventually(async () => (await tickJob())?.lastModifiedBy === 'healthy process', 20_000);
    await eventually(() => fired.some((f) => f.ref === second), 10_000);
    expect(fired.map((f) => f.ref).sort()).toEqual([ref, second].sort());
    expect(Math.min(...fired.map((f) => f.at)) - stuckLockedAt).toBeGreaterThanOrEqual(renewLocksForMs + lockLifetimeMs);
    for (const release of releases) release();
  }, 40_000);

  it('at shutdown, lets a running job finish before it returns', async () => {
    const clock = new TestClock(new Date());
    const wheel = new TimerWheel(database.models, clock.now, silent);
    const done = database.connection.db!.collection('slow_job_done');
    let started = false;
    let finished = false;
    let shutdownBegun: () => void = () => {};
    const shutdown = new Promise<void>((resolve) => (shutdownBegun = resolve));
    wheel.on('test', async () => {
      started = true;
      await shutdown; // still running when the shutdown begins…
      await done.insertOne({ ref: 'slow' }); // …and with work (a database write) left to do after it began
      finished = true;
    });
    const scheduler = await start(wheel);
    await wheel.schedule('test', 'slow', clock.now());
    clock.current = new Date(clock.current.getTime() + SETTLED_MS);
    await eventually(() => started, 10_000);
    schedulers.splice(schedulers.indexOf(scheduler), 1);
    const drained = scheduler.drain(5_000).then((result) => ({ ...result, finishedBeforeDrainReturned: finished }));
    shutdownBegun();
    expect(await drained).toEqual({ running: 0, finishedBeforeDrainReturned: true });
    expect(await done.countDocuments()).toBe(1);
  }, 20_000);

  it('at its defaults, ticks every shard as it starts and every 5 s after, and looks for jobs to lock every 2 s, not every second', async () => {
    const monitored = await openAgain(database, { monitorCommands: true });
    try {
      const wheel = new TimerWheel(monitored.models, () => new Date(), silent);
      const ticks: { shard: number; atMs: number }[] = [];
      const tick = wheel.tick.bind(wheel);
      let startedAt = Date.now();
      wheel.tick = (shard) => {
        ticks.push({ shard, atMs: Date.now() - startedAt });
        return tick(shard);
      };
      // A look is agenda's query for a job to lock, one per job (the shards' and the sweep's);
      // its other findAndModify commands save a job's state.
      let looking = 0;
      const client = monitored.connection.getClient();
      const count = (event: { commandName: string; command: Record<string, unknown> }) => {
        if (event.commandName === 'findAndModify' && event.command.findAndModify === 'agenda_jobs' && (event.command.query as { $or?: unknown } | undefined)?.$or) looking++;
      };
      client.on('commandStarted', count);
      // A short lock lifetime only so that agenda's lock checks do not outlive the test.
      const scheduler = await startScheduler({ db: monitored.connection.db!, wheel, log: silent, lockLifetimeMs: 1_500 });
      schedulers.push(scheduler);
      // Agenda's looks count from its start, at the end of startScheduler.
      startedAt = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 6_500));
      client.off('commandStarted', count);
      for (let shard = 0; shard < TIMER_SHARDS; shard++) {
        const own = ticks.filter((t) => t.shard === shard).map((t) => t.atMs);
        // The first at once (its job saved before agenda's first look), the next 5 s after it.
        expect(own).toHaveLength(2);
        expect(own[0]).toBeLessThan(1_500);
        expect(own[1]! - own[0]!).toBeGreaterThan(4_000);
      }
      // Looks at 0, 2, 4 and 6 s (37 queries here); a look every second would have sent 7 × 9.
      expect(looking).toBeLessThanOrEqual(5 * (TIMER_SHARDS + 1));
    } finally {
      await monitored.close();
    }
  }, 30_000);

  it('frees at its stop the ticks it locked ahead of their time, and no other process\'s', async () => {
    const agendaJobs = database.connection.db!.collection('agenda_jobs');
    const scheduler = await start(new TimerWheel(database.models, () => new Date(), silent));
    await eventually(async () => (await agendaJobs.countDocuments({ lastFinishedAt: { $ne: null } })) >= TIMER_SHARDS, 10_000);
    expect(await scheduler.drain(5_000)).toEqual({ running: 0 });
    schedulers.splice(schedulers.indexOf(scheduler), 1);
    // As agenda leaves them when it drains: two ticks this process locked ahead of their time, one another process holds.
    const inAMinute = new Date(Date.now() + 60_000);
    const lockedAt = new Date();
    const mine = scheduler.agenda.attrs.name;
    await agendaJobs.updateMany({ name: { $in: [tickJobName(0), tickJobName(1)] } }, { $set: { lockedAt, lastModifiedBy: mine, nextRunAt: inAMinute } });
    await agendaJobs.updateOne({ name: tickJobName(2) }, { $set: { lockedAt, lastModifiedBy: 'another process', nextRunAt: inAMinute } });
    // A drained scheduler frees them again (its drain is what frees them).
    await scheduler.drain(1_000);
    const locked = await agendaJobs.find({ lockedAt: { $ne: null } }).toArray();
    expect(locked.map((j) => j.name)).toEqual([tickJobName(2)]);
  });

  it('logs the errors agenda would swallow', async () => {
    const errors: unknown[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void errors.push(JSON.parse(line)) });
    const scheduler = await start(new TimerWheel(database.models, () => new Date(), silent), undefined, log);
    scheduler.agenda.emit('error', new Error('lost the connection'));
    expect(errors).toEqual([expect.objectContaining({ msg: 'scheduler error' })]);
  });

  it("does not take agenda's look at a tick that had ended, while it saved the end, for a failure; a tick still running is one", () => {
    // The message as this version of agenda words it (its job processor's source).
    const source = readFileSync(join(dirname(require.resolve('agenda')), 'JobProcessor.js'), 'utf8');
    const template = /`(execution of '\$\{job\.attrs\.name\}' canceled, no lockedAt date found[^`]*)`/.exec(source)?.[1];
    expect(template).toBeDefined();
    const message = (name: string) => new Error(String(template).replace('${job.attrs.name}', name));
    expect(isCheckAfterTheEnd(message(tickJobName(2)), new Set())).toBe(true);
    expect(isCheckAfterTheEnd(message(tickJobName(2)), new Set([tickJobName(2)]))).toBe(false);
    expect(isCheckAfterTheEnd(new Error(`execution of '${tickJobName(2)}' canceled, execution took more than 20000ms.`), new Set())).toBe(false);
  });
});
