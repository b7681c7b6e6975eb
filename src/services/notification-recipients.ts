import type { Model } from 'mongoose';
import type { NotificationDoc } from '../models/notification.model';

/** Who was sent what, found by the notification's `_id` (`<record>:<reason>:<person>:<platform>`). */
export class NotificationRecipients {
  constructor(
    private readonly notifications: Model<NotificationDoc>,
    /** The platforms notifications are stored for. */
    private readonly platforms: () => readonly string[],
  ) {}

  /** Whether the person was notified about `recordId` for `reason` (e.g. `escalation.2`: paged at step 2). */
  async wasSent(recordId: string, reason: string, personId: string): Promise<boolean> {
    const sent = await Promise.all(this.platforms().map((platform) => this.notifications.findById(`${recordId}:${reason}:${personId}:${platform}`).lean()));
    return sent.some(Boolean);
  }
}
