import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import { StartupError } from '../../src/startup-error';

/** Who the bot token is on Slack's side: given to Bolt, it needs not ask again. */
export interface SlackBotIdentity {
  botId: string;
  botUserId: string;
}

/**
 * Slack's word on the bot token, before anything is taken (`auth.test`, once): refused or
 * unreachable, it is one clear line for the person starting opsdesk.
 */
export async function verifySlackBotToken(token: string, apiUrl: string | undefined): Promise<SlackBotIdentity> {
  // Once, briefly: a network that drops packets must not hold the start for minutes. The client's
  // own warning would repeat what the refusal below says.
  const client = new WebClient(token, { ...(apiUrl ? { slackApiUrl: apiUrl } : {}), retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: 10_000, logLevel: LogLevel.ERROR });
  try {
    const result = await client.auth.test();
    return { botId: result.bot_id ?? '', botUserId: result.user_id ?? '' };
  } catch (error) {
    const { code, data, original } = error as { code?: string; data?: { error?: string }; original?: Error };
    if (code === ErrorCode.PlatformError) {
      throw new StartupError(`Slack refused SLACK_BOT_TOKEN (${data?.error ?? 'refused'}): copy the Bot User OAuth Token (xoxb-…) again from the Slack app's OAuth & Permissions page, reinstalling the app if it was revoked`);
    }
    if (code === ErrorCode.RequestError || code === ErrorCode.HTTPError) {
      throw new StartupError(`Slack cannot be reached at ${apiUrl ?? 'https://slack.com/api/'} (${original?.message ?? (error as Error).message}): check this machine's network or proxy, then start opsdesk again`);
    }
    throw error;
  }
}
