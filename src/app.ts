import type { HandlerContext } from '../handlers/handler';
import { HandlerRegistry } from '../handlers/index';
import { ItsmCatalog } from './config/itsm-catalog';
import type { ItsmConfig } from './config/itsm-config-schema';
import { configurationItemDocs, storeItsmConfig } from './config/store-itsm-config';
import type { Database } from './db/connect';
import type { Logger } from './logger';
import { CardLocations } from './services/card-locations';
import { Digests } from './services/digests';
import { Intake } from './services/intake';
import { Pacer } from './services/pacing';
import { Retention } from './services/retention';
import { WorkInFlight } from './services/work-in-flight';
import { PeopleDirectory } from './people/people-directory';
import type { JobContext } from '../jobs/job-context';
import { registerTimerJobs } from '../jobs/timer-jobs';
import { AuditTrail } from './services/audit-trail';
import { ConfigurationItems } from './services/configuration-items';
import { IncidentRecords } from './services/incident-records';
import { RequestRecords } from './services/request-records';
import { RequestWatch } from './services/request-watch';
import { ApprovalVotes } from './services/approval-votes';
import { ChangeRecords } from './services/change-records';
import { ChangeWatch } from './services/change-watch';
import { approvalRuleFor } from './domain/change-rules';
import { IncidentWatch } from './services/incident-watch';
import { NotificationRecipients } from './services/notification-recipients';
import { RequestClaims } from './services/request-claims';
import { SlackInstallations } from './services/slack-installations';
import { PlatformPresence } from './services/platform-presence';
import { Notifier } from './services/notifier';
import { TimerWheel } from './services/timer-wheel';
import { ensureNumberSeries } from './services/number-series';
import { WebMessages } from './services/web-messages';
import { SlotLogs } from './services/slot-log';
import { ConsoleSignIn } from './services/console-sign-in';
import { DashboardFigures } from './services/dashboard-figures';
import { TeamsConversations } from './services/teams-conversations';
import { requestsFirstOf } from './db/requests-first';

/** How far ahead the wheel reads when it fires timers on time: more than a tick's interval and agenda's look after it (jobs/scheduler.ts: 5 s and 2 s). */
const FIRE_AHEAD_MS = 8_000;

export interface App {
  /** The handlers' context: services, configuration and the clock (no models). */
  ctx: HandlerContext;
  jobs: JobContext;
  /** What the Slack adapter keeps in the database, as services: request claims (retries) and OAuth installations. */
  slack: { requests: RequestClaims; installations: SlackInstallations };
  /**
   * What the Teams adapter keeps in the database, as services: request claims (Teams resends an activity it saw unanswered
   * for 15 s), and where each person and channel is reached unasked (conversation references).
   */
  teams: { requests: RequestClaims; conversations: TeamsConversations };
  /** What the web console keeps in the database, as services: its conversations, sign-in, the dashboard's figures. */
  web: { messages: WebMessages; signIn: ConsoleSignIn; dashboard: DashboardFigures };
  /** Where each record's card was posted on each platform, so changes edit it in place. */
  cards: CardLocations;
  /** Requests stored before they are acknowledged, replayed when their process died (the durable way in). */
  intake: Intake;
  /** Which platforms some live process delivers to (each process beats for its own deliverers). */
  presence: PlatformPresence;
  /** The way out's shared parts: turns within each platform's limits, and digests of lines that would wait too long. */
  outbox: { pacer: Pacer; digests: Digests; coalesceAfterMs: number };
  /** Work done after answering a request, which a stopping process finishes first. */
  work: WorkInFlight;
  registry: HandlerRegistry;
  log: Logger;
  database: Database;
}

/** The composition root: services over one database, the handlers' context and their registry. */
export async function createApp(options: {
  database: Database;
  config: ItsmConfig;
  log: Logger;
  now?: () => Date;
  /**
   * Real time as the processes share it (the database server's clock), for the turns taken within
   * the platforms' limits; `now` may be a test's clock, this never is. Default: this host's clock.
   */
  sharedNowMs?: () => number;
  /** How long a process may go silent before another takes its work over. */
  takeoverAfterMs?: number;
  /**
   * Whether a timer set due now (a new incident's watch, a page) also runs at once in this process
   * (default) or only at the wheel's next turn: the core benchmark measures the report handler alone.
   */
  runDueTimersAtOnce?: boolean;
  /** A channel's lines are gathered into one message once they would wait longer than this for its turn. */
  coalesceAfterMs?: number;
  /**
   * Whether the wheel fires timers at their due time (each tick reading the next seconds' buckets
   * ahead) rather than once their bucket has settled. Tests stepping a clock leave it off.
   */
  fireTimersOnTime?: boolean;
  /** Days retry keys and finished notifications are kept. */
  retentionDays?: number;
  /**
   * The platforms opsdesk has adapters for: notifications are stored for each one the configuration
   * uses, even by a process that has not configured it, once some process has delivered there
   * (Notifier.expectPlatform).
   */
  platformsWithAdapters?: readonly string[];
  /** How long a delivery's lease meeting a full delivery queue waits for room (tests shorten it). */
  leaseWaitsForRoomMs?: number;
}): Promise<App> {
  const { database, log } = options;
  const catalog = new ItsmCatalog(options.config);
  const now = options.now ?? (() => new Date());
  const people = new PeopleDirectory(database.models, catalog, (identity, error) =>
    log.warn({ identity, err: error }, 'the platform could not describe this user: served without a profile'),
  );

  await ensureNumberSeries(database.models.Counter);
  const { changed } = await storeItsmConfig(database.models, catalog, now());
  await people.syncFromConfig();
  const sharedNowMs = options.sharedNowMs ?? Date.now;
  log.info({ changed, services: catalog.services.size, groups: catalog.groups.size }, 'ITSM configuration loaded');

  const takeoverAfterMs = options.takeoverAfterMs ?? 30_000;
  const intake = new Intake(database.models, now, log, { beatEveryMs: Math.max(1_000, Math.floor(takeoverAfterMs / 3)), deadAfterMs: takeoverAfterMs });
  const liveness = { processId: intake.bootId, isAlive: (owner: string) => intake.isAlive(owner) };
  const wheel = new TimerWheel(database.models, now, log, options.fireTimersOnTime ? { fireAheadMs: FIRE_AHEAD_MS, beginGate: requestsFirstOf(database.connection).background } : {});
  await wheel.ensureCursors();
  // A delivery is its process's until that process stops beating (the intake's heartbeats).
  const presence = new PlatformPresence(database.models, now, takeoverAfterMs);
  const notifier = new Notifier(database.models, wheel, now, log, {
    liveness,
    presence,
    beginGate: requestsFirstOf(database.connection).background,
    ...(options.leaseWaitsForRoomMs !== undefined ? { leaseWaitsForRoomMs: options.leaseWaitsForRoomMs } : {}),
  });
  for (const platform of catalog.platformsInUse()) if (options.platformsWithAdapters?.includes(platform)) notifier.expectPlatform(platform);
  const watch = new IncidentWatch(wheel, catalog, now);
  const requestWatch = new RequestWatch(wheel, catalog, now);
  const changeWatch = new ChangeWatch(wheel, now, (change) => approvalRuleFor(catalog.config.changeApproval, change.type, change.risk)?.deadline);
  const incidents = new IncidentRecords(database.models, (incident, change) =>
    // The change itself is done and stands; a timer that could not be set is logged loudly.
    watch.track(incident, change).then(
      () => true,
      (error: unknown) => {
        log.error({ err: error, number: incident.number }, 'could not set the incident\'s SLA or escalation timers');
        return false;
      },
    ),
    sharedNowMs,
  );
  const ctx: App['ctx'] = {
    catalog,
    people,
    incidents,
    requests: new RequestRecords(database.models, sharedNowMs, (request, before) =>
      // The change stands; a deadline that could not be set is logged loudly.
      requestWatch.track(request, before).catch((error: unknown) => log.error({ err: error, number: request.number }, "could not set the request's timers")),
    ),
    changes: new ChangeRecords(database.models, sharedNowMs, (change, before) =>
      changeWatch.track(change, before).catch((error: unknown) => log.error({ err: error, number: change.number }, "could not set the change's reminder")),
      now,
    ),
    votes: new ApprovalVotes(database.models),
    watch,
    configurationItems: new ConfigurationItems(database.models.ConfigurationItem, configurationItemDocs(catalog)),
    recipients: new NotificationRecipients(database.models.Notification, () => notifier.platforms),
    audit: new AuditTrail(database.models.AuditEvent),
    now,
  };
  const retention = new Retention(database.models, options.retentionDays ?? 30);
  const jobs: JobContext = { ...ctx, requestWatch, models: database.models, notifier, retention, wheel, log };
  registerTimerJobs(jobs, { atOnce: options.runDueTimersAtOnce ?? true });
  const slack = { requests: new RequestClaims(database.models.RecordKey, 'slack'), installations: new SlackInstallations(database.models.SlackInstallation) };
  const teams: App['teams'] = {
    requests: new RequestClaims(database.models.RecordKey, 'teams'),
    conversations: new TeamsConversations(database.models.TeamsConversation, now),
  };
  const outbox = { pacer: new Pacer(database.models, sharedNowMs), digests: new Digests(database.models, now), coalesceAfterMs: options.coalesceAfterMs ?? 5_000 };
  const web = { messages: new WebMessages(database.models, new SlotLogs(database.models.WebLog, now)), signIn: new ConsoleSignIn(database.models, now), dashboard: new DashboardFigures(database.models, catalog, now) };
  return { ctx, jobs, slack, teams, web, cards: new CardLocations(database.models), intake, presence, outbox, work: new WorkInFlight(), registry: new HandlerRegistry(), log, database };
}
