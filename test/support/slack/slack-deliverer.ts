import { WebClient } from '@slack/web-api';
import { SlackNotificationDeliverer } from '../../../adapters/slack/notification-deliverer';
import type { QuietChannels } from '../../../adapters/slack/quiet-channels';
import type { Pacer } from '../../../src/services/pacing';
import type { SlackHarness } from './slack-harness';

/** A client of the harness's recording Slack API that retries nothing (the notifier retries) and meets its 429s. */
export const recordingClient = (slack: SlackHarness) =>
  new WebClient('xoxb-test', { slackApiUrl: slack.api.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });

/** The Slack deliverer on the harness's app, alone: a test drives its deliveries (and their clock, through `pacer`) itself. */
export function slackDeliverer(slack: SlackHarness, options: { client: WebClient; pacer?: Pacer; coalesceAfterMs?: number; quiet?: QuietChannels }): SlackNotificationDeliverer {
  return new SlackNotificationDeliverer({
    catalog: slack.app.ctx.catalog,
    people: slack.app.ctx.people,
    cards: slack.app.cards,
    digests: slack.app.outbox.digests,
    pacer: options.pacer ?? slack.app.outbox.pacer,
    coalesceAfterMs: options.coalesceAfterMs ?? 5_000,
    ...(options.quiet ? { quiet: options.quiet } : {}),
    log: slack.app.log,
    client: async () => options.client,
  });
}
