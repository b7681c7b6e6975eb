import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { Db } from 'mongodb';
import { createApp } from './app';
import { loadItsmConfig } from './config/load-itsm-config';
import { connectDatabase } from './db/connect';
import { SharedClock } from './db/shared-clock';
import { createLogger } from './logger';
import type { FromWorkThread, ToWorkThread } from './server/work-thread';
import { lowerThisThreadsPriority } from './server/thread-priority';
import { createSlackAdapter, type SlackSettings } from '../adapters/slack/slack-app';
import type { HandOff } from '../adapters/slack/slack-context';
import { doHandedOver } from '../adapters/slack/handed-over';
import { WebNotificationDeliverer } from '../adapters/web/web-notification-deliverer';
import { startScheduledWork, stopUnscheduledWork, type ScheduledWork } from './scheduled-work';
import { within } from './services/within';
import { watchEventLoopStalls } from './server/event-loop-stalls';
import { BoundedQueue } from './services/bounded-queue';
import { requestsFirstOf } from './db/requests-first';
import { watchLoad } from './server/load-watch';
import { workGauges } from './server/work-gauges';
import { StopSteps } from './stop-steps';

/**
 * How many handed-over requests the thread works on at once. Unbounded, the soak's backlog (2,000
 * in flight) passed the heap's bound and the thread died; 48 held the work behind requests waiting
 * for a platform's turn and fell behind from the soak's fourth minute; 300 kept up for six
 * (docs/benchmarks.md). The database sees at most its pool's share of them at once.
 */
export const HANDED_OVER_AT_ONCE = 300;

/** The compiled file of this thread, for `WorkThread.start`. */
export const SLACK_WORK_THREAD_FILE = join(__dirname, 'slack-work-thread.js');

/** What the process tells its Slack work thread: its own database, configuration and Slack settings. */
export interface SlackWorkThreadData {
  role: 'slack-work-thread';
  databaseUri: string;
  databaseName: string;
  configPath: string;
  logLevel: string;
  /** The database server's clock for record times and turns, as the process uses it; this host's clock when false. */
  sharedClock: boolean;
  /**
   * How many nice values lower this thread runs than the one answering Slack (10 lower gets about a
   * tenth of its share of a core they both want): an answer then goes before the work of the
   * requests answered earlier, which waits (OPSDESK_WORK_THREAD_LOWER_BY, 10 by default; the
   * figures are in docs/benchmarks.md).
   */
  lowerBy: number;
  /** How many handed-over requests it works on at once (HANDED_OVER_AT_ONCE by default). */
  atOnce?: number;
  app: { takeoverAfterMs?: number; retentionDays?: number; coalesceAfterMs?: number; platformsWithAdapters?: readonly string[] };
  slack: Pick<SlackSettings, 'botToken' | 'apiUrl' | 'bot'>;
  /**
   * The process's scheduled work (the timer wheel's ticks, the outbox's deliveries due) runs here
   * rather than in the thread answering Slack; `webConsole`: the console's messages are delivered
   * here too. Absent, the thread does only the work handed to it.
   */
  scheduledWork?: { webConsole: boolean; graceMs: number };
}

/**
 * The Slack work thread: the work that follows the acknowledgement of each request the process's
 * HTTP thread took (a click's change, a form's record, a command's answer, a modal opened), on its
 * own event loop and its own database connection, through the same listeners (`bolt.processEvent`,
 * the request marked as handed over). The thread that takes requests then only verifies, stores
 * in the intake and answers, so its answers do not wait behind this work.
 */
async function run(port: NonNullable<typeof parentPort>, data: SlackWorkThreadData): Promise<void> {
  const log = createLogger(data.logLevel).child({ thread: 'slack-work' });
  if (data.lowerBy > 0 && !lowerThisThreadsPriority(data.lowerBy)) log.info('the Slack work thread runs at the process\'s priority (this system cannot lower one thread\'s)');
  const config = await loadItsmConfig(data.configPath);
  const database = await connectDatabase(data.databaseUri, data.databaseName);
  const clock = data.sharedClock ? new SharedClock(database.connection.db as Db) : undefined;
  await clock?.start();
  const app = await createApp({
    database,
    config,
    log,
    ...(clock ? { now: clock.now, sharedNowMs: clock.nowMs } : {}),
    ...data.app,
    fireTimersOnTime: Boolean(data.scheduledWork),
  });
  const slack = createSlackAdapter(app, { ...data.slack, handedOver: true }, undefined);
  if (data.scheduledWork?.webConsole) app.jobs.notifier.register(new WebNotificationDeliverer(app.web.messages, app.ctx.now));
  // What this thread stores in the outbox carries its own process id: beating, its attempts in
  // flight are known to be alive, and not posted again by another process while they wait a turn.
  await app.intake.startBeating();
  const scheduled: ScheduledWork | undefined = data.scheduledWork ? await startScheduledWork(app, { takeoverAfterMs: data.app.takeoverAfterMs ?? 30_000 }) : undefined;
  const stopWatchingStalls = watchEventLoopStalls(log);

  // Bounded, so that a backlog waits here as bodies rather than as work begun (its heap), and held
  // back while the database has many operations waiting; the answering thread's overload gate
  // bounds how many wait, and turns the rest away as busy. While any waits, timers and deliveries
  // begin no more (src/db/requests-first.ts).
  const requests = new BoundedQueue(data.atOnce ?? HANDED_OVER_AT_ONCE, Number.POSITIVE_INFINITY, { gate: requestsFirstOf(database.connection).requests });
  const stopWatchingLoad = watchLoad(log, workGauges(app, database.connection, requests));
  const work = async (id: number, request: HandOff) => {
    let error: string | undefined;
    try {
      // The listeners' own failures are told to the person and logged there; this is Bolt's.
      await app.work.run(() => doHandedOver(slack.bolt, request));
    } catch (failure) {
      log.error({ err: failure }, 'handed-over Slack request failed');
      error = failure instanceof Error ? failure.message : String(failure);
    }
    port.postMessage({ kind: 'done', id, ...(error === undefined ? {} : { error }) } satisfies FromWorkThread);
  };
  const stop = async () => {
    const graceMs = data.scheduledWork?.graceMs ?? 60_000;
    const deadline = Date.now() + graceMs;
    // No deadline of its own: the process's stop bounds this one (WorkThread.stop). Each failure
    // is told as it fails, so the process knows of it even if it ends this thread before the last.
    const steps = new StopSteps(log, { onFailed: (waitingFor) => port.postMessage({ kind: 'step-failed', waitingFor } satisfies FromWorkThread) });
    // Clicks and forms waiting here are in the intake too: not begun within the grace, the restart
    // replays them. A command or an event not begun is not done, as when one thread does the work.
    await steps.step('handed-over requests to begin', () => within(graceMs, requests.idle()));
    await steps.step('acknowledged requests to finish', () => app.work.drain(Math.max(0, deadline - Date.now())));
    // Messages waiting for their turn go back to the timer wheel, for the next process's scheduler.
    if (scheduled) await scheduled.stop(graceMs, steps, deadline);
    else await stopUnscheduledWork(app, graceMs, steps);
    await steps.step('the stall and load watches to stop', async () => {
      stopWatchingStalls();
      stopWatchingLoad();
    });
    await steps.step('the intake to hand over', () => app.intake.stop({ handOver: true }));
    await steps.step('the shared clock to stop', async () => clock?.stop());
    await steps.step('the database connection to close', () => database.close());
    steps.done();
    // The log's last lines written out before the process ends this thread (they are written a
    // turn later, and a failure's lines are the ones that matter).
    await within(1_000, new Promise<void>((resolve) => log.flush(() => resolve())));
    port.postMessage({ kind: 'stopped' } satisfies FromWorkThread);
  };
  port.on('message', (message: ToWorkThread<HandOff>) => {
    if (message.kind === 'work') requests.offer(() => work(message.id, message.request));
    else void stop();
  });
  port.postMessage({ kind: 'ready' } satisfies FromWorkThread);
}

// Only as the thread `WorkThread.start` made: imported elsewhere (for its file name), it runs nothing.
if (parentPort && (workerData as Partial<SlackWorkThreadData> | null)?.role === 'slack-work-thread') {
  const port = parentPort;
  run(port, workerData as SlackWorkThreadData).catch((error: unknown) => {
    port.postMessage({ kind: 'cannot-start', error: error instanceof Error ? error.message : String(error) } satisfies FromWorkThread);
  });
}
