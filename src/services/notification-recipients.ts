import type { Model } from 'mongoose';
import { findByIdsTogether } from '../db/find-by-ids';
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
    const sent = await findByIdsTogether(this.notifications, this.platforms().map((platform) => `${recordId}:${reason}:${personId}:${platform}`), { _id: 1 });
    return sent.some(Boolean);
  }
}
