import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { MongoBackend } from '@agendajs/mongo-backend';
import { Agenda, type Job } from 'agenda';
import type { Collection, Db } from 'mongodb';
import { isDuplicateKey } from '../src/db/duplicate-key';
import type { Logger } from '../src/logger';
import { TIMER_SHARDS, type TimerWheel } from '../src/services/timer-wheel';

export interface SchedulerOptions {
  db: Db;
  wheel: TimerWheel;
  log: Logger;
  /** How often each shard of the timer wheel is worked through. */
  tickEvery?: string;
  /** How often agenda looks for jobs to lock (ms): it locks those due before its next look and runs each at its time. */
  processEvery?: number;
  /**
   * A job whose lock is not renewed for this long is taken to have died with its process and runs
   * elsewhere (a running tick renews its lock every third of it).
   */
  lockLifetimeMs?: number;
  /** How long a running tick renews its lock before it is taken to be stuck (ms). */
  renewLocksForMs?: number;
}

export interface Scheduler {
  agenda: Agenda;
  /** Stops taking jobs and waits (up to `timeoutMs`) for the running ones to finish. */
  drain(timeoutMs: number): Promise<{ running: number }>;
}

export const tickJobName = (shard: number) => `timer-wheel.tick.${shard}`;
/** A dead process's shards are taken over after this: short, because a running tick renews its lock. */
export const DEFAULT_LOCK_LIFETIME_MS = 20_000;
/**
 * How long a running tick renews its lock (every third of the lifetime) before it is taken to be
 * stuck. Under a saturated database a tick's reads and its last handlers took up to a minute
 * (docs/benchmarks.md); that is slow, not stuck, and another process would find the same database.
 */
export const DEFAULT_RENEW_LOCKS_FOR_MS = 180_000;
export const SWEEP_JOB = 'timer-wheel.sweep';
/**
 * Each look is one locking query per job (9), the most expensive command the desk sends (12 ms each
 * on the embedded server). Looking every second, they were 9 of the 17 commands a second a desk at
 * rest sent, and 107 of its 146 ms of database time (`BENCH_ONLY=commands`). A tick found ahead of
 * its time still runs at its time; one still running (or saving its end) at a look is found at the
 * next, so a look every 5 s could start a slow shard's next tick 5 s late: 2 s is the middle.
 */
export const PROCESS_EVERY_MS = 2_000;
const FREE_LOCKS_WITHIN_MS = 1_000;
/** A tick taking longer than this says what it ran (its lock is renewed for about 3 minutes). */
const SLOW_TICK_MS = 15_000;

/**
 * Agenda runs one recurring job per shard of the timer wheel; its locks share the shards among
 * the running processes. Agenda's own queries stay cheap because its collection holds only these
 * few jobs: the many due instants live in the wheel (src/services/timer-wheel.ts).
 */
export async function startScheduler(options: SchedulerOptions): Promise<Scheduler> {
  const { wheel, log } = options;
  const lockLifetimeMs = options.lockLifetimeMs ?? DEFAULT_LOCK_LIFETIME_MS;
  const renewLocksForMs = options.renewLocksForMs ?? DEFAULT_RENEW_LOCKS_FOR_MS;
  const agenda = new Agenda({
    backend: new MongoBackend({ mongo: options.db, collection: 'agenda_jobs' }),
    // Its own, so that the locks it frees at its stop are its own (two processes on two hosts may share a pid and a host name).
    name: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    processEvery: options.processEvery ?? PROCESS_EVERY_MS,
    defaultLockLifetime: lockLifetimeMs,
    defaultConcurrency: 1,
  });
  // Agenda's own listener swallows errors: ours logs them. After the drain, a job that outlived the
  // grace still renews its lock on a connection being closed: expected, its lock expires and
  // another process takes it over, so it is no error of the stop.
  let drained = false;
  const ticking = new Set<string>();
  agenda.on('error', (error: Error) => {
    if (drained) log.debug({ err: error }, 'scheduler error after the stop');
    else if (isCheckAfterTheEnd(error, ticking)) log.debug({ err: error }, 'agenda looked at a tick that had ended while it saved the end');
    else log.error({ err: error }, 'scheduler error');
  });
  agenda.on('fail', (error: unknown, job: unknown) => log.error({ err: error, job: (job as { attrs?: { name?: string } })?.attrs?.name }, 'scheduled job failed'));

  await wheel.ensureCursors();
  for (let shard = 0; shard < TIMER_SHARDS; shard++) {
    agenda.define(
      tickJobName(shard),
      async (job: Job) => {
        const renewing = renewLock(job, lockLifetimeMs, renewLocksForMs, log);
        const started = Date.now();
        ticking.add(job.attrs.name);
        try {
          const report = await wheel.tick(shard);
          const ms = Date.now() - started;
          if (ms > SLOW_TICK_MS) log.warn({ shard, ms, ...report }, 'a slow timer wheel tick');
          else if (report.timers > 0) log.debug({ shard, ms, ...report }, 'timer wheel tick');
        } finally {
          ticking.delete(job.attrs.name);
          clearInterval(renewing);
        }
      },
      { concurrency: 1, lockLimit: 1 },
    );
  }
  // `every` upserts by name; FerretDB's upsert is not atomic, so a unique name keeps two
  // processes starting together from creating the same recurring job twice.
  await options.db.collection('agenda_jobs').createIndex({ name: 1 }, { unique: true, name: 'one_job_per_name' });
  agenda.define(SWEEP_JOB, async () => {
    const removed = await wheel.sweep();
    if (removed > 0) log.info({ removed }, 'timer wheel swept');
  });
  // The recurring jobs saved before the first look (agenda looks as it starts, then every
  // `processEvery`), so that a process's first ticks need not wait for its second.
  await agenda.ready;
  const jobs = options.db.collection('agenda_jobs');
  for (let shard = 0; shard < TIMER_SHARDS; shard++) {
    await ensureRecurring(agenda, jobs, tickJobName(shard), options.tickEvery ?? '5 seconds');
  }
  await ensureRecurring(agenda, jobs, SWEEP_JOB, '1 hour');
  await agenda.start();

  return {
    agenda,
    async drain(timeoutMs) {
      const result = await agenda.drain({ timeout: timeoutMs });
      drained = true;
      // Agenda's drain leaves the ticks it locked ahead of their time locked: another process
      // (this one restarted) would wait out the lock's lifetime for those shards. With nothing left
      // running here, none of them will begin: they are freed. Bounded, and only said if it fails
      // (the database gone): the lock then expires as before.
      if (result.running > 0) log.warn({ running: result.running }, 'jobs still running at shutdown; another process takes them over after the lock lifetime');
      else {
        await jobs
          .updateMany({ lastModifiedBy: agenda.attrs.name, lockedAt: { $ne: null } }, { $unset: { lockedAt: true } }, { timeoutMS: FREE_LOCKS_WITHIN_MS })
          .catch((error: unknown) => log.warn({ err: error }, 'could not free the ticks locked ahead: another process takes their shards once their locks expire'));
      }
      return { running: result.running };
    },
  };
}

/**
 * Creates the recurring job, or changes its interval, and otherwise leaves it alone: agenda's
 * `every` saves the job with `lockedAt: null`, which would free a shard another process is working
 * (two processes on one shard at every start).
 */
async function ensureRecurring(agenda: Agenda, jobs: Collection, name: string, interval: string): Promise<void> {
  const existing = await jobs.findOne({ name });
  if (existing && existing.repeatInterval === interval) return;
  await retryOnDuplicate(() => agenda.every(interval, name));
}

/**
 * Agenda checks a running job's lock every half lifetime, and its job clears the lock when it ends
 * and then saves that: a check falling into that save (slow under load) finds no lock and reports
 * the job canceled, though it had ended. Such a report about a tick that is no longer running here
 * is no failure.
 */
export function isCheckAfterTheEnd(error: Error, running: ReadonlySet<string>): boolean {
  const name = /^execution of '(.+)' canceled, no lockedAt date found/.exec(error.message)?.[1];
  return name !== undefined && !running.has(name);
}

/** Renews the running job's lock while it works, for at most `forMs`: a tick stuck for longer is left to another process. */
function renewLock(job: Job, lockLifetimeMs: number, forMs: number, log: Logger): NodeJS.Timeout {
  const everyMs = Math.max(500, Math.floor(lockLifetimeMs / 3));
  const maxRenewals = Math.ceil(forMs / everyMs);
  let renewals = 0;
  const timer = setInterval(() => {
    renewals += 1;
    if (renewals > maxRenewals) {
      clearInterval(timer);
      log.error({ job: job.attrs.name }, 'a timer wheel tick has run too long: its shard is left to another process');
      return;
    }
    job.touch().catch((error: unknown) => log.warn({ err: error, job: job.attrs.name }, 'could not renew a job lock'));
  }, everyMs);
  timer.unref();
  return timer;
}

async function retryOnDuplicate<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return write(); // the other process created it; now it is found and updated
  }
}
