import type { NotificationDoc } from '../../src/models/notification.model';
import type { WebMessages } from '../../src/services/web-messages';
import type { DeliveryOutcome, NotificationDeliverer } from '../../src/services/notifier';
import { cardMessageId, conversationFor } from './web-conversations';

/**
 * The outbox's way into the web console: a card is one document per conversation and record,
 * written over as the record changes (never with an older version); a thread line or a direct
 * message is one document per notification. Every write is idempotent, so an attempt whose
 * outcome was lost is simply made again.
 */
export class WebNotificationDeliverer implements NotificationDeliverer {
  readonly platform = 'web';

  constructor(
    private readonly messages: WebMessages,
    private readonly now: () => Date,
  ) {}

  async deliver(notification: NotificationDoc, again = false): Promise<DeliveryOutcome> {
    const { audience, view, recordId } = notification;
    const conversation = conversationFor(audience);
    // A private reply is answered in the web request itself: nothing to show later.
    if (!conversation) return { kind: 'delivered' };
    const at = this.now();
    if (audience.kind === 'card' || audience.kind === 'person-card' || audience.kind === 'group-card') {
      await this.drawCard(conversation, recordId, notification, at);
    } else if (audience.kind === 'thread') {
      const card = cardMessageId(conversation, recordId);
      // A job's line with no card yet (an SLA warning) shows the card itself, as a chat posts it.
      if (!audience.afterCard && !(await this.messages.exists(card))) await this.drawCard(conversation, recordId, notification, at);
      await this.messages.post({ _id: notification._id, conversation, recordId, kind: 'line', view: notification.view, threadOf: card, postedAt: at, at }, again);
    } else {
      await this.messages.post({ _id: notification._id, conversation, recordId, kind: 'message', view, postedAt: at, at }, again);
    }
    return { kind: 'delivered', location: { channel: conversation, messageId: notification._id } };
  }

  /** Written again when the attempt's outcome is unknown: every write here may be repeated. */
  async wasDelivered(): Promise<boolean> {
    return false;
  }

  private drawCard(conversation: string, recordId: string, notification: NotificationDoc, at: Date): Promise<void> {
    const { threadLine: _line, ...card } = notification.view;
    return this.messages.drawCard(cardMessageId(conversation, recordId), conversation, recordId, card, at);
  }
}
