import type { App } from './app';
import { startScheduler } from '../jobs/scheduler';
import type { StopSteps } from './stop-steps';

/** The process's scheduled work, started in one thread of it: stopped, its running jobs finish first. */
export interface ScheduledWork {
  /**
   * Each part of its stop a step of the thread's: one that fails (the database gone) leaves the
   * others to run. `deadline` (a time): when the thread's own stop must be done by, the timers'
   * wait cut short to it (default: `graceMs` from now).
   */
  stop(graceMs: number, steps: StopSteps, deadline?: number): Promise<void>;
}

/**
 * The work no request asks for: the timer wheel's ticks (SLA milestones, escalations, deliveries
 * due) under agenda, and the beat saying which platforms this thread's deliverers reach. One thread
 * of a process runs it: the only one, or the Slack work thread, so that the thread answering Slack
 * never waits behind a tick.
 */
export async function startScheduledWork(app: App, options: { takeoverAfterMs: number }): Promise<ScheduledWork> {
  const db = app.database.connection.db;
  if (!db) throw new Error('the database connection has no handle');
  const scheduler = await startScheduler({ db, wheel: app.jobs.wheel, log: app.log });
  // Which platforms this thread delivers to, for the processes that cannot (beating like the intake).
  await app.presence.startBeating(() => app.jobs.notifier.delivering, Math.max(1_000, Math.floor(options.takeoverAfterMs / 3)), (error) =>
    app.log.error({ err: error }, 'could not say which platforms this process delivers to'),
  );
  return {
    async stop(graceMs, steps, deadline = Date.now() + graceMs) {
      // Running jobs finish (a delivery in flight completes); one still running after the grace is
      // picked up by another process once its lock expires.
      await steps.step('running scheduled jobs to finish', () => scheduler.drain(graceMs));
      // Within what is left of the same grace: the timers run beside the jobs.
      await steps.step('timers begun to finish', () => finishTimers(app, Math.min(graceMs, Math.max(0, deadline - Date.now()))));
      await steps.step('deliveries to stop', () => stopDeliveries(app, graceMs));
      await steps.step('the delivery beat to stop', async () => app.presence.stop());
    },
  };
}

/**
 * The stop of a thread that runs no scheduler: the timers begun in it (run at once by its requests)
 * are given a moment, then its deliveries stop.
 */
export async function stopUnscheduledWork(app: App, graceMs: number, steps: StopSteps): Promise<void> {
  await steps.step('timers begun to finish', () => finishTimers(app, Math.min(graceMs, 5_000)));
  await steps.step('deliveries to stop', () => stopDeliveries(app, graceMs));
}

/**
 * Timers begun here (fired on time, or run at once by a request) write to the database, closed
 * after this: they are given `graceMs` to finish. Those read ahead and not begun are left to their
 * bucket's settling, as are those still running after the grace.
 */
export async function finishTimers(app: App, graceMs: number): Promise<void> {
  const firing = await app.jobs.wheel.stopFiringAhead(graceMs);
  if (firing.running > 0) app.log.warn(firing, 'stopping with timers still running: their bucket\'s settling runs them again');
}

/**
 * Messages waiting for their turn are handed back to the timer wheel as due now; one being posted
 * is given a moment; one still unanswered after it is retried after its lease.
 */
export async function stopDeliveries(app: App, graceMs: number): Promise<void> {
  const posting = await app.jobs.notifier.stop(Math.min(graceMs, 5_000));
  if (posting.running > 0) app.log.warn(posting, 'stopping with messages still being posted: retried after their lease');
  else if (posting.unrecorded > 0) app.log.warn(posting, 'stopping with the outcomes of posted messages unwritten: their leases ask the platform whether they got there');
  else if (posting.handedBack > 0) app.log.info(posting, 'messages waiting for their turn handed back to the timer wheel: the next process posts them when due');
}
