import type { OverloadLimits } from '../../src/server/unanswered-requests';
import { StartupError } from '../../src/startup-error';

export interface TeamsSettings {
  /** The bot's Microsoft App ID: tokens must name it as their audience. */
  appId: string;
  appPassword: string;
  appType: 'MultiTenant' | 'SingleTenant';
  tenantId?: string | undefined;
  /** Where the Bot Connector's signing keys are published (tests: a server on 127.0.0.1). */
  openIdMetadataUrl?: string | undefined;
  /** Where the bot gets its own token for its calls (`ToChannelFromBotLoginUrl`; tests: 127.0.0.1). */
  loginUrl?: string | undefined;
  /** NODE_ENV: only development may run without an app id (botbuilder then checks no token at all). */
  environment: string;
  /** When new activities are turned away as busy (default: as Slack's requests). */
  overload?: OverloadLimits | undefined;
}

/** Refuses settings that would take requests nobody authenticated, in one line. */
export function checkTeamsSettings(settings: TeamsSettings): void {
  if (!settings.appId.trim() && settings.environment !== 'development') {
    throw new StartupError('MICROSOFT_APP_ID is empty: without it botbuilder checks no token. Set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD (or NODE_ENV=development to try it locally)');
  }
  if (settings.appId.trim() && !settings.appPassword.trim()) throw new StartupError('MICROSOFT_APP_PASSWORD is empty: set the bot\'s client secret');
  if (settings.appType === 'SingleTenant' && !settings.tenantId?.trim()) throw new StartupError('MICROSOFT_APP_TYPE is SingleTenant: set MICROSOFT_APP_TENANT_ID');
}
