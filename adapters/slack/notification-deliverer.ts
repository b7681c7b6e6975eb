import { ErrorCode, type WebClient } from '@slack/web-api';
import type { ItsmCatalog } from '../../src/config/itsm-catalog';
import type { Logger } from '../../src/logger';
import type { NotificationDoc } from '../../src/models/notification.model';
import type { PeopleDirectory } from '../../src/people/people-directory';
import type { CardLocations } from '../../src/services/card-locations';
import type { DeliveryOutcome, NotificationDeliverer } from '../../src/services/notifier';
import { cardFallback, escapeMrkdwn, renderCard } from './render/render-card';
import { mentionsIn } from './render/slack-mentions';

/** Slack errors worth another try; any other platform error (channel_not_found…) is final. */
const RETRYABLE_PLATFORM_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
const METADATA_EVENT = 'opsdesk_notification';

interface Target {
  channel: string;
  threadTs?: string;
  /** In a thread a line of text is enough; elsewhere the card is drawn. */
  textOnly: boolean;
}

class Undeliverable extends Error {}

export interface SlackDelivererDeps {
  catalog: ItsmCatalog;
  people: PeopleDirectory;
  cards: CardLocations;
  /** The client to post with (no retries of its own: the notifier retries), or none yet (OAuth before the first install). */
  client(): Promise<WebClient | undefined>;
  log: Logger;
}

/**
 * Posts the notifier's notifications to Slack: a person's page or warning as a DM card, an SLA
 * line into the incident card's thread, a P1 into the major-incident channel. Each message carries
 * the notification id as message metadata, so an attempt interrupted by a crash can be checked
 * against the conversation's history instead of being posted twice.
 */
export class SlackNotificationDeliverer implements NotificationDeliverer {
  readonly platform = 'slack';

  constructor(private readonly deps: SlackDelivererDeps) {}

  async deliver(notification: NotificationDoc): Promise<DeliveryOutcome> {
    const client = await this.deps.client();
    if (!client) return { kind: 'retry', afterMs: 15 * 60_000, error: 'opsdesk is not installed in a Slack workspace yet' };
    try {
      const target = await this.targetOf(client, notification);
      const { view } = notification;
      const text = target.textOnly ? escapeMrkdwn(view.text ?? cardFallback(view)) : cardFallback(view);
      const posted = await client.chat.postMessage({
        channel: target.channel,
        text,
        ...(target.textOnly ? {} : { blocks: renderCard(view, await mentionsIn(this.deps.people, [view])) }),
        ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
        metadata: { event_type: METADATA_EVENT, event_payload: { notification_id: notification._id } },
      });
      return { kind: 'delivered', location: { channel: posted.channel ?? target.channel, messageId: posted.ts ?? '' } };
    } catch (error) {
      return outcomeOf(error);
    }
  }

  async wasDelivered(notification: NotificationDoc, since: Date): Promise<boolean> {
    const client = await this.deps.client();
    if (!client) return false;
    const target = await this.targetOf(client, notification);
    const oldest = String((since.getTime() - 60_000) / 1000);
    const page = target.threadTs
      ? await client.conversations.replies({ channel: target.channel, ts: target.threadTs, oldest, include_all_metadata: true, limit: 200 })
      : await client.conversations.history({ channel: target.channel, oldest, include_all_metadata: true, limit: 200 });
    return (page.messages ?? []).some(
      (m) => m.metadata?.event_type === METADATA_EVENT && (m.metadata.event_payload as { notification_id?: string } | undefined)?.notification_id === notification._id,
    );
  }

  private async targetOf(client: WebClient, notification: NotificationDoc): Promise<Target> {
    const { audience } = notification;
    switch (audience.kind) {
      case 'person': {
        const userId = await this.slackUserOf(client, audience.personId);
        const opened = await client.conversations.open({ users: userId });
        if (!opened.channel?.id) throw new Undeliverable(`no direct message with ${userId}`);
        return { channel: opened.channel.id, textOnly: false };
      }
      case 'thread': {
        const card = await this.deps.cards.find(notification.recordId, 'slack');
        if (card) return { channel: card.channel, threadTs: card.messageId, textOnly: true };
        const channel = this.deps.catalog.channelFor(audience.service, 'slack');
        if (!channel) throw new Undeliverable(`no Slack channel is configured for the service ${audience.service}`);
        return { channel, textOnly: false };
      }
      case 'major-incident': {
        const channel = this.deps.catalog.config.majorIncidentChannel?.slack;
        if (!channel) throw new Undeliverable('no Slack major-incident channel is configured');
        return { channel, textOnly: false };
      }
    }
  }

  /** The person's Slack user: known from configuration or an earlier request, else looked up by e-mail. */
  private async slackUserOf(client: WebClient, personId: string): Promise<string> {
    const person = await this.deps.people.findById(personId);
    const known = (person?.identities ?? []).find((i) => i.platform === 'slack')?.id;
    if (known) return known;
    if (!person?.email) throw new Undeliverable(`no Slack user is known for ${personId}`);
    const found = await client.users.lookupByEmail({ email: person.email });
    if (!found.user?.id) throw new Undeliverable(`no Slack user has the e-mail ${person.email}`);
    return found.user.id;
  }
}

function outcomeOf(error: unknown): DeliveryOutcome {
  if (error instanceof Undeliverable) return { kind: 'failed', error: error.message };
  const e = error as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string }; message?: string };
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      return { kind: 'retry', afterMs: (e.retryAfter ?? 30) * 1000, error: 'rate limited' };
    case ErrorCode.HTTPError:
      return (e.statusCode ?? 500) >= 500 || e.statusCode === 429
        ? { kind: 'retry', error: `HTTP ${e.statusCode}` }
        : { kind: 'failed', error: `HTTP ${e.statusCode}` };
    case ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      return RETRYABLE_PLATFORM_ERRORS.has(code) ? { kind: 'retry', error: code } : { kind: 'failed', error: code };
    }
    default:
      return { kind: 'retry', error: e.message ?? String(error) }; // the network, a timeout
  }
}
