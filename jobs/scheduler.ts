import { hostname } from 'node:os';
import { MongoBackend } from '@agendajs/mongo-backend';
import { Agenda } from 'agenda';
import type { Db } from 'mongodb';
import { isDuplicateKey } from '../src/db/duplicate-key';
import type { Logger } from '../src/logger';
import { TIMER_SHARDS, type TimerWheel } from '../src/services/timer-wheel';

export interface SchedulerOptions {
  db: Db;
  wheel: TimerWheel;
  log: Logger;
  /** How often each shard of the timer wheel is worked through. */
  tickEvery?: string;
  /** How often agenda looks for jobs to lock (ms). */
  processEvery?: number;
  /** A job locked longer than this is taken to have died with its process and runs elsewhere. */
  lockLifetimeMs?: number;
}

export interface Scheduler {
  agenda: Agenda;
  /** Stops taking jobs and waits (up to `timeoutMs`) for the running ones to finish. */
  drain(timeoutMs: number): Promise<{ running: number }>;
}

export const tickJobName = (shard: number) => `timer-wheel.tick.${shard}`;
export const SWEEP_JOB = 'timer-wheel.sweep';

/**
 * Agenda runs one recurring job per shard of the timer wheel; its locks share the shards among
 * the running processes. Agenda's own queries stay cheap because its collection holds only these
 * few jobs: the many due instants live in the wheel (src/services/timer-wheel.ts).
 */
export async function startScheduler(options: SchedulerOptions): Promise<Scheduler> {
  const { wheel, log } = options;
  const agenda = new Agenda({
    backend: new MongoBackend({ mongo: options.db, collection: 'agenda_jobs' }),
    name: `${hostname()}:${process.pid}`,
    processEvery: options.processEvery ?? 1_000,
    defaultLockLifetime: options.lockLifetimeMs ?? 5 * 60_000,
    defaultConcurrency: 1,
  });
  // Agenda's own listener swallows errors: ours logs them.
  agenda.on('error', (error) => log.error({ err: error }, 'scheduler error'));
  agenda.on('fail', (error: unknown, job: unknown) => log.error({ err: error, job: (job as { attrs?: { name?: string } })?.attrs?.name }, 'scheduled job failed'));

  await wheel.ensureCursors();
  for (let shard = 0; shard < TIMER_SHARDS; shard++) {
    agenda.define(
      tickJobName(shard),
      async () => {
        const report = await wheel.tick(shard);
        if (report.timers > 0) log.debug({ shard, ...report }, 'timer wheel tick');
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
  await agenda.start();
  for (let shard = 0; shard < TIMER_SHARDS; shard++) {
    await retryOnDuplicate(() => agenda.every(options.tickEvery ?? '5 seconds', tickJobName(shard)));
  }
  await retryOnDuplicate(() => agenda.every('1 hour', SWEEP_JOB));

  return {
    agenda,
    async drain(timeoutMs) {
      const result = await agenda.drain({ timeout: timeoutMs });
      if (result.running > 0) log.warn({ running: result.running }, 'jobs still running at shutdown; another process takes them over after the lock lifetime');
      return { running: result.running };
    },
  };
}

async function retryOnDuplicate<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return write(); // the other process created it; now it is found and updated
  }
}
