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
  /**
   * The Microsoft 365 tenants whose people may use opsdesk: an activity from any other is refused
   * (a bot's id is no secret, and in their own tenant anyone can give a user a colleague's e-mail).
   */
  tenants: readonly string[];
  /** When new activities are turned away as busy (default: as Slack's requests). */
  overload?: OverloadLimits | undefined;
}

/** Refuses settings that would take requests nobody authenticated, in one line. */
export function checkTeamsSettings(settings: TeamsSettings): void {
  // botbuilder checks no token at all without an app id: never allowed.
  if (!settings.appId.trim()) throw new StartupError('MICROSOFT_APP_ID is empty: set the bot\'s Microsoft app id and MICROSOFT_APP_PASSWORD (docs/teams.md)');
  if (!settings.appPassword.trim()) throw new StartupError('MICROSOFT_APP_PASSWORD is empty: set the bot\'s client secret');
  if (settings.appType === 'SingleTenant' && !settings.tenantId?.trim()) throw new StartupError('MICROSOFT_APP_TYPE is SingleTenant: set MICROSOFT_APP_TENANT_ID');
  if (settings.tenants.length === 0) {
    throw new StartupError('MICROSOFT_APP_TENANT_ID is not set: set it (or OPSDESK_TEAMS_TENANTS, comma-separated) to the tenant whose people may use opsdesk in Teams');
  }
}

/** The tenant an activity comes from, as the Bot Connector says it. */
export function tenantOf(activity: { channelData?: { tenant?: { id?: unknown } }; conversation?: { tenantId?: unknown } }): string | undefined {
  const id = activity.channelData?.tenant?.id ?? activity.conversation?.tenantId;
  return typeof id === 'string' ? id : undefined;
}
