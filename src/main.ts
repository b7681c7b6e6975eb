import { resolve } from 'node:path';
import { createApp } from './app';
import { loadEnv } from './config/env';
import { ConfigError } from './config/format-config-errors';
import { loadItsmConfig } from './config/load-itsm-config';
import { connectDatabase } from './db/connect';
import { SharedClock } from './db/shared-clock';
import type { Db } from 'mongodb';
import { NoDatabaseAvailable, provisionDatabase, type ProvisionedDatabase } from './db/provision-database';
import { createLogger } from './logger';
import { StartupError } from './startup-error';
import { startHttpServer, type HttpServer } from './server/http-server';
import { createSlackAdapter, slackModeOf, type SlackAdapter } from '../adapters/slack/slack-app';
import { verifySlackBotToken } from '../adapters/slack/verify-bot-token';
import { DEFAULT_OVERLOAD_LIMITS } from './server/unanswered-requests';
import { mountWebConsole, type WebConsole } from '../adapters/web/web-console';
import type { TeamsAdapter } from '../adapters/teams/teams-app';
import { checkTeamsSettings, type TeamsSettings } from '../adapters/teams/teams-settings';
import { startScheduledWork, stopUnscheduledWork } from './scheduled-work';
import { StopSteps } from './stop-steps';
import { watchEventLoopStalls } from './server/event-loop-stalls';
import { watchLoad } from './server/load-watch';
import { workGauges } from './server/work-gauges';
import { restoreIncidentTimers } from '../jobs/sla/restore-incident-timers';
import { restoreRequestTimers } from '../jobs/requests/restore-request-timers';
import { purgeExpired } from '../jobs/maintenance/purge-expired';
import { listOpenIncidentsOnce } from '../jobs/maintenance/list-open-incidents-once';
import { createSamplesIfEmpty } from './samples/create-samples';
import { WorkThread } from './server/work-thread';
import { workThreadDatabaseUri } from './db/work-thread-pool';
import { SLACK_WORK_THREAD_FILE, type SlackWorkThreadData } from './slack-work-thread';
import type { HandOff } from '../adapters/slack/slack-context';

/** Starts opsdesk: configuration, database, services, HTTP server; stops cleanly on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const env = loadEnv();
  const log = createLogger(env.LOG_LEVEL);
  const config = await loadItsmConfig(resolve(env.OPSDESK_CONFIG));

  const provisioned: ProvisionedDatabase = await provisionDatabase({
    mongodbUri: env.MONGODB_URI,
    dataDir: resolve(env.OPSDESK_DATA_DIR),
    embeddedPostgresUrl: env.OPSDESK_EMBEDDED_DB_PG,
    log: (msg) => log.info(msg),
    // Never half-alive: without its database opsdesk exits, for its own supervisor to restart it.
    onDatabaseLost: (reason) => {
      log.fatal({ reason }, 'the embedded database is lost; exiting');
      process.exit(1);
    },
  });
  log.info({ database: provisioned.description }, `database: ${provisioned.description}`);
  const database = await connectDatabase(provisioned.uri, env.MONGODB_DB);
  // Record times, timers and the platforms' turns from one clock shared by every process.
  const clock = new SharedClock(database.connection.db as Db);
  log.info({ offsetMs: Math.round(await clock.start()) }, 'clock: the database server\'s');
  const appOptions = {
    takeoverAfterMs: env.OPSDESK_TAKEOVER_SECONDS * 1000,
    retentionDays: env.OPSDESK_RETENTION_DAYS,
    coalesceAfterMs: env.OPSDESK_COALESCE_AFTER_SECONDS * 1000,
    // Notifications for every platform the configuration uses (and opsdesk can reach) are stored,
    // even by a process that cannot deliver there, once some process has; one that can delivers them.
    platformsWithAdapters: ['slack', 'teams', 'web'],
  };
  const teamsConfigured = Boolean(env.MICROSOFT_APP_ID || env.MICROSOFT_APP_PASSWORD);
  // Slack over HTTP with a bot token, and no Teams (whose deliveries need its adapter where the
  // wheel runs): the work after each acknowledgement and the scheduled work in a thread of their
  // own, so that answering Slack never waits behind either.
  const workThread =
    env.OPSDESK_WORK_THREAD === 'on' &&
    Boolean(env.SLACK_SIGNING_SECRET && env.SLACK_BOT_TOKEN) &&
    slackModeOf({ appToken: env.SLACK_APP_TOKEN, clientId: env.SLACK_CLIENT_ID, clientSecret: env.SLACK_CLIENT_SECRET }) === 'http' &&
    !teamsConfigured;
  const app = await createApp({ database, config, log, now: clock.now, sharedNowMs: clock.nowMs, ...appOptions, fireTimersOnTime: !workThread });

  // Beating before taking any request: what this process acknowledges is never thought abandoned.
  await app.intake.startBeating();

  const slackConfigured = Boolean(env.SLACK_APP_TOKEN || env.SLACK_SIGNING_SECRET);
  // Slack's word on the token before anything is taken: refused or out of reach, one clear line.
  const slackBot = slackConfigured && env.SLACK_BOT_TOKEN ? await verifySlackBotToken(env.SLACK_BOT_TOKEN, env.SLACK_API_URL) : undefined;
  // A process holding more than it can answer in time turns new requests away at once, on every chat surface.
  const overload = { ...DEFAULT_OVERLOAD_LIMITS, maxInProgress: env.OPSDESK_BUSY_AFTER_REQUESTS, maxWorkInFlight: env.OPSDESK_BUSY_AFTER_WORK };
  // Teams: with an app id only (botbuilder checks no token without one).
  const teamsSettings: TeamsSettings = {
    appId: env.MICROSOFT_APP_ID ?? '',
    appPassword: env.MICROSOFT_APP_PASSWORD ?? '',
    appType: env.MICROSOFT_APP_TYPE,
    tenantId: env.MICROSOFT_APP_TENANT_ID,
    tenants: (env.OPSDESK_TEAMS_TENANTS ?? env.MICROSOFT_APP_TENANT_ID ?? '').split(',').map((t) => t.trim()).filter(Boolean),
    overload,
  };
  // Refused before anything is taken: one clear line.
  if (teamsConfigured) checkTeamsSettings(teamsSettings);
  // Loaded only where Teams is configured: the Bot Framework alone holds about 17 MB of heap.
  const teamsApp = teamsConfigured ? await import('../adapters/teams/teams-app.js') : undefined;
  // Lost, the work thread takes the process with it, and the intake is replayed.
  const slackWork =
    workThread && env.SLACK_BOT_TOKEN
      ? await WorkThread.start<HandOff>(
          SLACK_WORK_THREAD_FILE,
          {
            role: 'slack-work-thread',
            databaseUri: workThreadDatabaseUri(provisioned.uri),
            databaseName: env.MONGODB_DB,
            configPath: resolve(env.OPSDESK_CONFIG),
            logLevel: env.LOG_LEVEL,
            sharedClock: true,
            lowerBy: env.OPSDESK_WORK_THREAD_LOWER_BY,
            app: appOptions,
            slack: { botToken: env.SLACK_BOT_TOKEN, apiUrl: env.SLACK_API_URL, bot: slackBot },
            scheduledWork: { webConsole: env.OPSDESK_CONSOLE === 'on', graceMs: env.OPSDESK_STOP_GRACE_SECONDS * 1000 },
          } satisfies SlackWorkThreadData,
          (reason) => {
            log.fatal({ reason }, 'the Slack work thread is lost; exiting (what it held is replayed from the intake)');
            process.exit(1);
          },
        )
      : undefined;
  let slack: SlackAdapter | undefined;
  let teams: TeamsAdapter | undefined;
  let web: WebConsole | undefined;
  const http: HttpServer = await startHttpServer({
    host: env.HOST,
    port: env.PORT,
    log,
    databaseReady: database.ping,
    mount: (express) => {
      if (env.OPSDESK_CONSOLE === 'on') web = mountWebConsole(app, express, { host: env.HOST, signIn: env.OPSDESK_CONSOLE_SIGN_IN });
      if (teamsApp) teams = teamsApp.createTeamsAdapter(app, teamsSettings, express);
      if (!slackConfigured) return;
      slack = createSlackAdapter(
        app,
        {
          signingSecret: env.SLACK_SIGNING_SECRET,
          botToken: env.SLACK_BOT_TOKEN,
          appToken: env.SLACK_APP_TOKEN,
          clientId: env.SLACK_CLIENT_ID,
          clientSecret: env.SLACK_CLIENT_SECRET,
          stateSecret: env.SLACK_STATE_SECRET,
          apiUrl: env.SLACK_API_URL,
          bot: slackBot,
          overload,
          handOff: slackWork ? (request) => slackWork.hand(request) : undefined,
        },
        express,
      );
    },
  });
  await slack?.start();
  // The work thread runs the scheduled work when there is one.
  const scheduled = slackWork ? undefined : await startScheduledWork(app, { takeoverAfterMs: appOptions.takeoverAfterMs });
  const stopWatchingStalls = watchEventLoopStalls(log);
  // Where the work stands in line, once a minute, where it runs (the work thread says its own).
  const stopWatchingLoad = scheduled ? watchLoad(log, workGauges(app, database.connection)) : () => undefined;
  // Requests another process (or this one before a restart) acknowledged and did not finish.
  await app.intake.startReconciling();
  // A database from before the lists: its open incidents written into them, once.
  await listOpenIncidentsOnce(app.jobs);
  // Open incidents and requests whose timers were never set or were lost; again every hour.
  await restoreIncidentTimers(app.jobs);
  await restoreRequestTimers(app.jobs);
  // Retry keys and finished notifications past their retention; again every day.
  await purgeExpired(app.jobs);
  // An empty database gets a few sample tickets, once, so the console shows something at once (npm run samples:remove removes them).
  if (env.OPSDESK_SAMPLES === 'on') {
    const samples = await createSamplesIfEmpty(app);
    if (samples.created.length > 0) log.info({ samples: samples.created }, `sample tickets created: ${samples.created.join(', ')} (npm run samples:remove removes them)`);
  }
  log.info({ notificationPlatforms: app.jobs.notifier.platforms }, 'scheduler started: SLA clocks, escalations and notifications');
  log.info(
    {
      slack: slack?.mode ?? 'not configured (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN, or SLACK_APP_TOKEN)',
      teams: teams?.mode ?? 'not configured (set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD)',
      work: slackWork ? 'Slack\'s work after each acknowledgement and the scheduled work in a thread of their own' : 'in the thread answering requests',
    },
    'platforms',
  );
  log.info({ url: `http://${env.HOST}:${http.port}`, handlers: app.registry.all().length }, `opsdesk listening on http://${env.HOST}:${http.port}`);
  if (web) log.info({ console: web.mode }, `web console: open http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${http.port}/ ${web.mode === 'act-as' ? '(act as any configured person)' : '(sign in with a console token)'}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const graceMs = env.OPSDESK_STOP_GRACE_SECONDS * 1000;
    const steps = new StopSteps(log, { graceMs });
    log.info({ signal }, 'shutting down: no new requests, finishing those in flight');
    // The console's live streams never end on their own: ended first, so the server can close.
    await steps.step('the console\'s live streams to end', async () => web?.stop());
    await steps.step('the HTTP server to close', () => http.close());
    // No request comes in now. The work thread finishes what was handed to it and stops alongside
    // the steps below, not after them: with the database gone away each side's writes wait out
    // the driver's server selection, and one after the other they would pass the deadline.
    const threadStopping = slackWork?.stop(graceMs + 10_000);
    // Its failure is the step's below, told there (not an unhandled rejection meanwhile).
    threadStopping?.catch(() => undefined);
    // What was acknowledged is finished before the database closes; what is not done in time stays
    // in the intake, and another process (or the restart) takes it over.
    const unfinished = await steps.step('acknowledged requests to finish', () => app.work.drain(graceMs));
    if (unfinished && unfinished.running > 0) log.warn(unfinished, 'stopping with acknowledged work unfinished: another process or the restart replays it');
    await steps.step('the intake to hand over', () => app.intake.stop({ handOver: unfinished?.running === 0 }));
    if (scheduled) await scheduled.stop(graceMs, steps);
    else await stopUnscheduledWork(app, graceMs, steps);
    await steps.step('the Slack adapter to stop', async () => slack?.stop());
    // The work thread finishes its scheduled work within the same grace.
    const thread = await steps.step('the Slack work thread to stop', async () => threadStopping);
    if (thread && !thread.inTime) log.warn({ afterMs: graceMs + 10_000 }, 'the Slack work thread did not stop in time and was ended: what it held is taken over or replayed');
    await steps.step('the shared clock and the stall and load watches to stop', async () => {
      clock.stop();
      stopWatchingStalls();
      stopWatchingLoad();
    });
    await steps.step('the database connection to close', () => database.close());
    await steps.step('the embedded database to stop', () => provisioned.stop());
    const code = steps.done();
    log.info({ exitCode: code }, code === 0 ? 'stopped' : 'stopped, some steps failed (logged above)');
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  // Configuration and environment problems are for a person: say what is wrong, no stack trace.
  if (error instanceof ConfigError || error instanceof NoDatabaseAvailable) {
    process.stderr.write(`opsdesk cannot start.\n${error.message}\n`);
  } else if (error instanceof StartupError) {
    process.stderr.write(`opsdesk cannot start: ${error.message}\n`);
  } else {
    process.stderr.write(`opsdesk cannot start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
