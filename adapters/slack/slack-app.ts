import { randomUUID } from 'node:crypto';
import { App, ExpressReceiver } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Express } from 'express';
import { StartupError } from '../../src/startup-error';
import { t } from '../../src/i18n/translate';
import { HomePublisher } from './home-publisher';
import { slackOverloadGate } from './http/slack-overload-gate';
import { DEFAULT_OVERLOAD_LIMITS, type OverloadLimits } from '../../src/server/unanswered-requests';
import type { App as OpsdeskApp } from '../../src/app';
import { boltLogger } from './bolt-logger';
import { MongoInstallationStore } from './installation-store';
import { SlackNotificationDeliverer } from './notification-deliverer';
import { QuietChannels } from './quiet-channels';
import { SlotLogs } from '../../src/services/slot-log';
import { doCardAction, registerActions } from './listeners/actions';
import { registerCommands } from './listeners/commands';
import { registerEvents } from './listeners/events';
import { registerOptions } from './listeners/options';
import { registerShortcuts } from './listeners/shortcuts';
import { doSubmission, registerViews } from './listeners/views';
import { slackHandOverGate } from './http/slack-hand-over-gate';
import { slackRequestGate } from './http/slack-request-gate';
import { verifySlackSignature } from './http/verify-slack-signature';
import type { SlackBotIdentity } from './verify-bot-token';
import { slackRoutes } from './listeners/routes';
import type { SlackDeps } from './slack-context';

export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackSettings {
  signingSecret?: string | undefined;
  botToken?: string | undefined;
  appToken?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  stateSecret?: string | undefined;
  apiUrl?: string | undefined;
  /** When new requests are turned away as busy (HTTP only). */
  overload?: OverloadLimits | undefined;
  /**
   * The bot token's identity, verified before start (verify-bot-token.ts): Bolt then asks Slack
   * nothing. Without it Bolt calls `auth.test` itself when it is made.
   */
  bot?: SlackBotIdentity | undefined;
  /**
   * Requests acknowledged here are done by another thread (the Slack work thread): this resolves
   * when one is done. HTTP with a bot token only.
   */
  handOff?: SlackDeps['handOff'];
  /**
   * This Bolt app takes no requests of its own: it does the work of those another thread
   * acknowledged and hands over (`bolt.processEvent`, with `context.handedOver`).
   */
  handedOver?: boolean | undefined;
}

export interface SlackAdapter {
  bolt: App;
  mode: 'http' | 'socket' | 'oauth';
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The work thread's receiver: it takes no requests; they come through `bolt.processEvent`. */
const handedOverOnly = { init: () => undefined, start: () => Promise.resolve(), stop: () => Promise.resolve() };

/** The scopes the app asks for on install; manifest.yml declares the same. */
export const BOT_SCOPES = [
  'app_mentions:read',
  'chat:write',
  'commands',
  'users:read',
  'users:read.email',
  // Notifications: DMs to a person, and reading back a conversation to tell whether an attempt
  // interrupted by a crash was posted (so it is not posted twice).
  'im:write',
  'im:history',
  'channels:history',
  'groups:history',
];

/** How Slack reaches this process: Socket Mode with an app token, else HTTP, with OAuth installs when a client id and secret are given. */
export function slackModeOf(settings: Pick<SlackSettings, 'appToken' | 'clientId' | 'clientSecret'>): SlackAdapter['mode'] {
  if (settings.appToken) return 'socket';
  return settings.clientId && settings.clientSecret ? 'oauth' : 'http';
}

/**
 * The Slack edge: Bolt over HTTP at /slack/events on the shared server (signed requests), or in
 * Socket Mode when an app-level token is given; one workspace from a bot token, or any number
 * installed through OAuth with their installations in MongoDB.
 */
export function createSlackAdapter(opsdesk: OpsdeskApp, settings: SlackSettings, expressApp: Express | undefined): SlackAdapter {
  const { log } = opsdesk;
  const logger = boltLogger(log);
  const apiUrl = settings.apiUrl;
  const oauth = Boolean(settings.clientId && settings.clientSecret);
  const installationStore = oauth ? new MongoInstallationStore(opsdesk.slack.installations) : undefined;
  // Everything before `ack` uses Bolt's client: it must never wait out a rate limit (Retry-After
  // can be long); a refused call fails at once and the person is told.
  const clientOptions = { ...(apiUrl ? { slackApiUrl: apiUrl } : {}), retryConfig: { retries: 0 }, rejectRateLimitedCalls: true };
  const deliveryClients = new Map<string, WebClient>();
  const botIdentity = settings.bot ? { botId: settings.bot.botId, botUserId: settings.bot.botUserId } : {};

  let bolt: App;
  let mode: SlackAdapter['mode'];
  // Mounted before Bolt's route, made once the listeners' deps are (below).
  let handOverGate: ReturnType<typeof slackHandOverGate> = () => {
    throw new Error('the Slack adapter is not ready');
  };
  if (settings.handedOver) {
    if (!settings.botToken) throw new StartupError('the Slack work thread needs SLACK_BOT_TOKEN');
    mode = 'http';
    bolt = new App({ receiver: handedOverOnly, token: settings.botToken, ...botIdentity, logger, clientOptions, convoStore: false });
  } else if (slackModeOf(settings) === 'socket') {
    mode = 'socket';
    if (!settings.botToken) throw new StartupError('SLACK_APP_TOKEN (Socket Mode) is set but SLACK_BOT_TOKEN is not: set the Bot User OAuth Token (xoxb-…) from the Slack app\'s OAuth & Permissions page');
    bolt = new App({
      token: settings.botToken,
      ...botIdentity,
      appToken: settings.appToken,
      socketMode: true,
      logger,
      clientOptions,
      // opsdesk keeps no conversation state in Bolt (its store runs on every request).
      convoStore: false,
      // The socket's own client (apps.connections.open) talks to the same Web API.
      ...(apiUrl ? { installerOptions: { clientOptions: { slackApiUrl: apiUrl } } } : {}),
    });
  } else {
    if (!settings.signingSecret) throw new StartupError('SLACK_SIGNING_SECRET is needed to receive Slack requests over HTTP: copy it from the Slack app\'s Basic Information page');
    if (!expressApp) throw new Error('the HTTP server is needed to receive Slack requests');
    mode = slackModeOf(settings);
    // A secret made up per process would fail every install whose redirect reaches another process.
    if (oauth && !settings.stateSecret) throw new StartupError('SLACK_STATE_SECRET is needed for OAuth installs: set it to one long random text, the same in every process');
    if (!oauth && !settings.botToken) {
      throw new StartupError(
        "SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is not: set the Bot User OAuth Token (xoxb-…) from the Slack app's OAuth & Permissions page, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to install through OAuth",
      );
    }
    // Our own checks come first: the signature over the raw bytes with both sides of the time
    // window, then the shape of each request kind (Bolt answers 500 to a signed malformed body).
    // With a work thread, what only needs "received" is answered and handed over without Bolt.
    expressApp.use(
      SLACK_EVENTS_PATH,
      verifySlackSignature(settings.signingSecret),
      slackRequestGate(slackRoutes(opsdesk.registry)),
      slackOverloadGate({
        limits: settings.overload ?? DEFAULT_OVERLOAD_LIMITS,
        workInFlight: () => opsdesk.work.size,
        busyText: () => t(opsdesk.ctx.catalog.config.defaults.locale, 'slack.busy'),
        log: opsdesk.log,
      }),
      (req, res, next) => handOverGate(req, res, next),
    );
    const receiver = new ExpressReceiver({
      signingSecret: settings.signingSecret,
      // Verified above, over the bytes as they came (Bolt checks the decoded text).
      signatureVerification: false,
      endpoints: SLACK_EVENTS_PATH,
      app: expressApp,
      logger,
      ...(oauth
        ? {
            clientId: settings.clientId,
            clientSecret: settings.clientSecret,
            stateSecret: settings.stateSecret,
            scopes: BOT_SCOPES,
            installationStore,
            installerOptions: { directInstall: true, ...(apiUrl ? { clientOptions: { slackApiUrl: apiUrl } } : {}) },
          }
        : {}),
    });
    bolt = new App({
      receiver,
      logger,
      clientOptions,
      // opsdesk keeps no conversation state in Bolt (its store runs on every request).
      convoStore: false,
      ...(oauth ? {} : { token: settings.botToken, ...botIdentity }),
    });
  }

  const deps: SlackDeps = {
    opsdesk,
    handOff: mode === 'http' ? settings.handOff : undefined,
    cards: opsdesk.cards,
    homes: new HomePublisher(opsdesk.outbox.pacer, opsdesk.jobs.notifier.stopping),
    deliveryClient(token) {
      const key = token ?? settings.botToken ?? '';
      let client = deliveryClients.get(key);
      if (!client) {
        // After the acknowledgement, for what cannot wait in the outbox (a failure told, a replay's
        // lookups): fails fast rather than holding the request's work for a rate limit's Retry-After.
        client = new WebClient(key, { ...clientOptions, logger });
        deliveryClients.set(key, client);
      }
      return client;
    },
  };

  handOverGate = slackHandOverGate(deps);

  // Notifications retry on their own schedule (src/services/notifier.ts): this client fails fast.
  const notificationClients = new Map<string, WebClient>();
  const notificationClient = (token: string) => {
    let client = notificationClients.get(token);
    if (!client) {
      client = new WebClient(token, { ...clientOptions, timeout: 30_000, logger });
      notificationClients.set(token, client);
    }
    return client;
  };
  /** The bot token of the workspace a stored request or message came from (OAuth: each workspace its own). */
  const workspaceToken = async (body: { team?: { id?: string } | null; enterprise?: { id?: string } | null; is_enterprise_install?: boolean }) => {
    const installation = await installationStore
      ?.fetchInstallation({ teamId: body.team?.id, enterpriseId: body.enterprise?.id, isEnterpriseInstall: Boolean(body.is_enterprise_install) })
      .catch(() => undefined);
    return installation?.bot?.token;
  };

  opsdesk.jobs.notifier.register(
    new SlackNotificationDeliverer({
      catalog: opsdesk.ctx.catalog,
      people: opsdesk.ctx.people,
      cards: deps.cards,
      digests: opsdesk.outbox.digests,
      pacer: opsdesk.outbox.pacer,
      stopping: opsdesk.jobs.notifier.stopping,
      coalesceAfterMs: opsdesk.outbox.coalesceAfterMs,
      quiet: new QuietChannels({
        logs: new SlotLogs(opsdesk.database.models.QuietWait, opsdesk.ctx.now),
        wheel: opsdesk.jobs.wheel,
        pacer: opsdesk.outbox.pacer,
        coalesceAfterMs: opsdesk.outbox.coalesceAfterMs,
        wake: (id) => opsdesk.jobs.notifier.wake(id),
        now: opsdesk.ctx.now,
      }),
      log,
      async client(workspace) {
        const token = settings.botToken ?? (workspace ? await workspaceToken({ team: { id: workspace } }) : undefined) ?? (await installationStore?.latestBotToken());
        return token ? notificationClient(token) : undefined;
      },
    }),
  );

  // Requests acknowledged by a process that died before finishing them, done again from the intake
  // (by the thread that takes requests: the work thread replays nothing).
  if (!settings.handedOver) opsdesk.intake.onReplay('slack', async (payload) => {
    const { kind, body } = JSON.parse(payload) as { kind: string; body: never };
    const token = settings.botToken ?? (await workspaceToken(body));
    const client = deps.deliveryClient(token);
    if (kind === 'block_actions') await doCardAction(deps, body, client, true);
    else if (kind === 'view_submission') await doSubmission(deps, body, client, true);
    else log.warn({ kind }, 'no replay for this kind of Slack request');
  });

  registerCommands(bolt, deps);
  registerShortcuts(bolt, deps);
  registerActions(bolt, deps);
  registerViews(bolt, deps);
  registerOptions(bolt, deps);
  registerEvents(bolt, deps, installationStore);
  bolt.error(async (error) => {
    const errorId = randomUUID();
    log.error({ errorId, err: error }, 'Slack listener failed');
  });

  return {
    bolt,
    mode,
    start: async () => {
      if (mode === 'socket') await bolt.start();
    },
    stop: async () => {
      if (mode === 'socket') await bolt.stop();
    },
  };
}
