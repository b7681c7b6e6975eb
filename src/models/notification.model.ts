import { Schema } from 'mongoose';
import type { CardView } from '../views/view-model';

/** Who a notification is for; each platform's deliverer finds the place to post it. */
export type NotificationAudience =
  | { kind: 'person'; personId: string }
  /** The record's card thread (or its service channel when no card was posted yet). */
  | { kind: 'thread'; service: string }
  | { kind: 'major-incident' };

/**
 * Something posted without anyone asking in that moment (an SLA warning, an escalation ping).
 * `_id` is `<record>:<reason>:<recipient>:<platform>`: storing it is the claim, so the same
 * person is never told twice for the same reason. Never updated: what becomes of it is in
 * `notification_attempts`.
 */
export interface NotificationDoc {
  _id: string;
  recordId: string;
  reason: string;
  platform: string;
  audience: NotificationAudience;
  view: CardView;
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
    createdAt: Date,
  },
  { versionKey: false, minimize: false },
);
notificationSchema.index({ recordId: 1 });

export type AttemptOutcome = 'delivered' | 'retry' | 'failed';

/**
 * The life of a notification, written only by inserts (a FerretDB/SQLite without our _id index
 * reads a whole collection to update one document, docs/storage.md §4):
 * `<id>#<n>` claims attempt n; `<id>#<n>!` records its outcome; `<id>#final` says it is done.
 */
export interface NotificationAttemptDoc {
  _id: string;
  notificationId: string;
  attempt?: number;
  at: Date;
  outcome?: AttemptOutcome;
  error?: string;
  /** After a refusal: not before this instant (the platform's Retry-After, or our back-off). */
  retryAt?: Date;
  location?: { channel: string; messageId: string };
}

export const notificationAttemptSchema = new Schema<NotificationAttemptDoc>(
  {
    _id: String,
    notificationId: { type: String, required: true },
    attempt: Number,
    at: Date,
    outcome: String,
    error: String,
    retryAt: Date,
    location: { channel: String, messageId: String },
  },
  { versionKey: false },
);
// The daily purge of finished notifications (src/services/retention.ts).
notificationAttemptSchema.index({ at: 1 });
