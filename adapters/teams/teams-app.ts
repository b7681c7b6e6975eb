import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { ActivityTypes, CloudAdapter, type TurnContext } from 'botbuilder';
import type { App } from '../../src/app';
import { activityProblem } from './activity-shape';
import { onCardAction } from './listeners/card-action';
import { onMessage } from './listeners/message';
import { onSearch } from './listeners/search';
import { rememberConversation } from './listeners/conversation-references';
import { renderCard } from './render/render-card';
import { cardAttachment } from './render/adaptive-card';
import { teamsBotConnector } from './teams-bot-connector';
import { TeamsNotificationDeliverer } from './teams-notification-deliverer';
import { teamsAuthentication } from './teams-authentication';
import { refreshVerbs, type TeamsDeps } from './teams-context';
import { checkTeamsSettings, tenantOf, type TeamsSettings } from './teams-settings';
import { TEAMS_INVOKES } from './teams-invokes';
import { teamsOverloadGate } from './teams-overload-gate';
import { DEFAULT_OVERLOAD_LIMITS } from '../../src/server/unanswered-requests';
import { t } from '../../src/i18n/translate';

export const TEAMS_MESSAGES_PATH = '/api/messages';
export { TEAMS_INVOKES };

export interface TeamsAdapter {
  /** `bot framework`, with every token checked, and the tenants taken. */
  mode: string;
  cloud: CloudAdapter;
}

/** Each activity kind to its listener; other kinds are acknowledged and left alone. */
async function onTurn(deps: TeamsDeps, context: TurnContext): Promise<void> {
  const { activity } = context;
  if (activity.type === ActivityTypes.Message || activity.type === ActivityTypes.InstallationUpdate || activity.type === ActivityTypes.ConversationUpdate) {
    await rememberConversation(deps, context);
  }
  if (activity.type === ActivityTypes.Message) await onMessage(deps, context);
  else if (activity.type === ActivityTypes.Invoke && activity.name === TEAMS_INVOKES.cardAction) await onCardAction(deps, context);
  else if (activity.type === ActivityTypes.Invoke && activity.name === TEAMS_INVOKES.search) await onSearch(deps, context);
}

/**
 * The Teams surface: `POST /api/messages` on the shared server, every activity's token checked by
 * botbuilder's CloudAdapter (401 otherwise, before anything is stored), its shape by ours (400).
 */
export function createTeamsAdapter(opsdesk: App, settings: TeamsSettings, app: Express): TeamsAdapter {
  checkTeamsSettings(settings);
  const cloud = new CloudAdapter(teamsAuthentication(settings));
  const deps: TeamsDeps = { opsdesk, refreshVerbOf: refreshVerbs(opsdesk) };
  // What the outbox posts to Teams (SLA warnings, pages, approval cards, channel cards), drawn for
  // the company's language and zone: a person's own card was built for them already.
  const { defaults } = opsdesk.ctx.catalog.config;
  opsdesk.jobs.notifier.register(
    new TeamsNotificationDeliverer({
      catalog: opsdesk.ctx.catalog,
      conversations: opsdesk.teams.conversations,
      cards: opsdesk.cards,
      pacer: opsdesk.outbox.pacer,
      connector: teamsBotConnector(cloud, settings.appId ?? ''),
      draw: (view) => ({ type: 'message', attachments: [cardAttachment(renderCard(view, { locale: defaults.locale, timeZone: defaults.timeZone }, deps.refreshVerbOf))] }),
      stopping: opsdesk.jobs.notifier.stopping,
      log: opsdesk.log,
    }),
  );
  cloud.onTurnError = async (context, error) => {
    opsdesk.log.error({ err: error, activityId: context.activity.id }, 'Teams turn failed');
  };

  app.post(
    TEAMS_MESSAGES_PATH,
    express.json({ limit: '1mb' }),
    (error: Error, _req: Request, res: Response, next: NextFunction) => {
      // A body that is not JSON at all, or too large.
      const status = (error as { status?: number } | undefined)?.status;
      if (error) res.status(status === 413 ? 413 : 400).json({ error: status === 413 ? 'the body is too large' : 'the body is not JSON' });
      else next();
    },
    (req: Request, res: Response, next: NextFunction) => {
      const problem = activityProblem(req.body);
      const tenant = tenantOf(req.body);
      if (problem) res.status(400).json({ error: problem });
      // Another organisation's tenant: its people are not ours, whatever e-mail they carry.
      else if (!tenant || !settings.tenants.includes(tenant)) res.status(403).json({ error: 'this tenant may not use this opsdesk' });
      else next();
    },
    teamsOverloadGate({
      limits: settings.overload ?? DEFAULT_OVERLOAD_LIMITS,
      workInFlight: () => opsdesk.work.size,
      busyText: () => t(opsdesk.ctx.catalog.config.defaults.locale, 'teams.busy'),
      log: opsdesk.log,
    }),
    (req: Request, res: Response) => {
      // Tracked, so that a stopping process finishes the turn before closing the database.
      void opsdesk.work.run(async () => {
        try {
          await cloud.process(req, res, (context) => onTurn(deps, context));
        } catch (error) {
          // botbuilder's own parsing refused the activity before any turn began.
          opsdesk.log.warn({ err: error }, 'Teams activity refused by botbuilder');
          if (!res.headersSent) res.status(400).json({ error: 'not an activity botbuilder can take' });
        }
      });
    },
  );
  return { mode: `bot framework (${settings.appType}, tenants ${settings.tenants.join(', ')})`, cloud };
}

export type { TeamsSettings };
