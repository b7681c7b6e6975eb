import type { Model } from 'mongoose';
import type { NotificationDoc } from '../models/notification.model';

/** Who was sent what: the people a record's notifications for one reason were addressed to. */
export class NotificationRecipients {
  constructor(private readonly notifications: Model<NotificationDoc>) {}

  /** The ids of the people notified about `recordId` for `reason` (e.g. `escalation.2`: paged at step 2). */
  async people(recordId: string, reason: string): Promise<string[]> {
    const sent = await this.notifications.find({ recordId, reason }).lean();
    const people = sent.flatMap((n) => (n.audience.kind === 'person' ? [n.audience.personId] : []));
    return [...new Set(people)];
  }
}
