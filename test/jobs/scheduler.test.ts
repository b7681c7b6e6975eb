import pino from 'pino';
import type { Database } from '../../src/db/connect';
import { TimerWheel, shardOf } from '../../src/services/timer-wheel';
import { SWEEP_JOB, startScheduler, tickJobName, type Scheduler } from '../../jobs/scheduler';
import { eventually } from '../support/slack/slack-harness';
import { dropTestDatabase, openTestDatabase } from '../support/test-database';

const silent = pino({ level: 'silent' });

/** Agenda itself, on real time, against the real server: the ticks, the locks, the errors. */
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
  // a short lifetime lets the test process exit promptly.
  async function start(wheel: TimerWheel, lockLifetimeMs = 4_000, log = silent): Promise<Scheduler> {
    const scheduler = await startScheduler({ db: database.connection.db!, wheel, log, tickEvery: '1 second', processEvery: 200, lockLifetimeMs });
    schedulers.push(scheduler);
    return scheduler;
  }

  it('runs the wheel from recurring agenda jobs, one per shard, created once by two processes', async () => {
    const fired: string[] = [];
    const wheels = [0, 1].map(() => new TimerWheel(database.models, () => new Date(), silent));
    for (const w of wheels) w.on('test', async (ref) => void fired.push(ref));
    const [wheel] = wheels as [TimerWheel, TimerWheel];
    await Promise.all(wheels.map((w) => start(w)));
    await wheel.schedule('test', 'soon', new Date());
    await eventually(() => fired.length === 1, 12_000);
    const jobs = await database.connection.db!.collection('agenda_jobs').find().toArray();
    expect(jobs.map((j) => j.name).sort()).toEqual([...[0, 1, 2, 3].map(tickJobName), SWEEP_JOB].sort());
  }, 20_000);

  it("takes over a shard whose process stopped answering once the lock lifetime passes", async () => {
    const stuck = new TimerWheel(database.models, () => new Date(), silent);
    let release = () => {};
    stuck.on('test', () => new Promise<void>((resolve) => (release = resolve))); // the process hangs inside the job
    await start(stuck, 2_000);
    const ref = 'takeover-1';
    await stuck.schedule('test', ref, new Date());
    await new Promise((r) => setTimeout(r, 9_000)); // the bucket settles and the stuck process takes it

    const healthy = new TimerWheel(database.models, () => new Date(), silent);
    const fired: string[] = [];
    healthy.on('test', async (r) => void fired.push(r));
    await start(healthy, 2_000);
    // The same shard's next timer is worked by the healthy process (and the stuck one's is fired again: effects are idempotent).
    const second = Array.from({ length: 50 }, (_, i) => `takeover-${i + 2}`).find((r) => shardOf(r) === shardOf(ref))!;
    await healthy.schedule('test', second, new Date());
    await eventually(() => fired.includes(second), 15_000);
    release();
  }, 40_000);

  it('at shutdown, lets a running job finish before it returns', async () => {
    const wheel = new TimerWheel(database.models, () => new Date(), silent);
    let started = false;
    let finished = false;
    wheel.on('test', async () => {
      started = true;
      await new Promise((r) => setTimeout(r, 1_000));
      finished = true;
    });
    const scheduler = await start(wheel);
    await wheel.schedule('test', 'slow', new Date());
    await eventually(() => started, 12_000);
    schedulers.splice(schedulers.indexOf(scheduler), 1);
    expect(await scheduler.drain(5_000)).toEqual({ running: 0 });
    expect(finished).toBe(true);
  }, 20_000);

  it('logs the errors agenda would swallow', async () => {
    const errors: unknown[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void errors.push(JSON.parse(line)) });
    const scheduler = await start(new TimerWheel(database.models, () => new Date(), silent), 4_000, log);
    scheduler.agenda.emit('error', new Error('lost the connection'));
    expect(errors).toEqual([expect.objectContaining({ msg: 'scheduler error' })]);
  });
});
