import { Schema } from 'mongoose';
import type { CardView } from '../views/view-model';

/** Who a notification is for; each platform's deliverer finds the place to post it. */
export type NotificationAudience =
  | { kind: 'person'; personId: string }
  /** The record's card thread (or its service channel when no card was posted yet). */
  | { kind: 'thread'; service: string }
  | { kind: 'major-incident' };

export type NotificationState = 'pending' | 'delivered' | 'failed';

/**
 * Something posted without anyone asking in that moment (an SLA warning, an escalation ping).
 * `_id` is `<record>:<reason>:<recipient>:<platform>`: storing it is the claim, so the same
 * person is never told twice for the same reason.
 */
export interface NotificationDoc {
  _id: string;
  recordId: string;
  reason: string;
  platform: string;
  audience: NotificationAudience;
  view: CardView;
  state: NotificationState;
  /** Attempts whose outcome is known (a refusal or the success): a later attempt number means an unknown outcome. */
  attempts: number;
  firstAttemptAt?: Date;
  lastError?: string;
  /** After a refusal: not before this instant (the platform's Retry-After, or our back-off). */
  nextAttemptAt?: Date;
  deliveredAt?: Date;
  /** Where it landed (channel and message id), for the record. */
  location?: { channel: string; messageId: string };
  createdAt: Date;
}

export const notificationSchema = new Schema<NotificationDoc>(
  {
    _id: String,
    recordId: { type: String, required: true },
    reason: { type: String, required: true },
    platform: { type: String, required: true },
    audience: { type: Schema.Types.Mixed, required: true },
    view: { type: Schema.Types.Mixed, required: true },
    state: { type: String, required: true },
    attempts: { type: Number, default: 0 },
    firstAttemptAt: Date,
    lastError: String,
    nextAttemptAt: Date,
    deliveredAt: Date,
    location: { channel: String, messageId: String },
    createdAt: Date,
  },
  { versionKey: false, minimize: false },
);
notificationSchema.index({ recordId: 1 });
notificationSchema.index({ state: 1, createdAt: 1 });
