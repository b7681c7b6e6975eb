import { Schema } from 'mongoose';
import type { CardView, View } from '../views/view-model';

/** Who a message is for; each platform's deliverer finds the place to post it. */
export type NotificationAudience =
  /** A person, in a direct message. */
  | { kind: 'person'; personId: string }
  /**
   * A line in the record's card thread. Without a card yet: a job's line (an SLA warning) posts the
   * card in the service channel instead; a handler's line (`afterCard`) waits for its card.
   */
  | { kind: 'thread'; service: string; afterCard?: boolean }
  | { kind: 'major-incident' }
  /** The record's card in its service channel: posted the first time, edited in place after. */
  | { kind: 'card'; service: string }
  /** A person's own card of the record, in their direct message: posted the first time, edited in place after. */
  | { kind: 'person-card'; personId: string }
  /** The record's card in a group's channel: posted the first time, edited in place after. */
  | { kind: 'group-card'; group: string }
  /**
   * The answer to what a person just did, where they did it (one platform only): private, or in
   * the thread they asked in (`thread`, the message they mentioned the app in) for all to read.
   */
  | { kind: 'reply'; platform: string; user: string; channel?: string; thread?: string; responseUrl?: string };

/**
 * Everything opsdesk posts goes out as one of these (the outbox): a channel card or its edit, a
 * thread line, a private reply, a DM, a page, an announcement. `_id` is
 * `<record>:<reason>:<recipient>:<platform>`: storing it is the claim, so the same person is never
 * told twice for the same reason, and a replayed request finds its messages stored already. Never
 * updated: what becomes of it is in `notification_attempts`.
 */
export interface NotificationDoc {
  _id: string;
  recordId: string;
  reason: string;
  platform: string;
  audience: NotificationAudience;
  view: CardView;
  /** A private reply's views (a notice, a list, a card), drawn instead of `view`. */
  views?: View[];
  /** The platform's workspace the request came from: its own token delivers it (several Slack workspaces). */
  workspace?: string;
  /** The process that stored it, which makes its first attempt. */
  storedBy?: string;
  /** The call that stored it: told apart from a copy another call stored at the same moment. */
  storedAs?: string;
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
    views: { type: [Schema.Types.Mixed], default: undefined },
    workspace: String,
    storedBy: String,
    storedAs: String,
    createdAt: Date,
  },
  { versionKey: false, minimize: false },
);
notificationSchema.index({ recordId: 1 });

export type AttemptOutcome = 'delivered' | 'retry' | 'failed';

/**
 * The life of a notification, written only by inserts (a FerretDB/SQLite without our _id index
 * reads a whole collection to update one document, docs/storage.md §4):
 * `<id>#<n>` claims attempt n (the first attempt of the process that stored the notification needs
 * no claim: nobody else can start it); `<id>#<n>!` records a refusal to retry after; `<id>#final`
 * says it is done, after which attempt and where it landed.
 */
export interface NotificationAttemptDoc {
  _id: string;
  notificationId: string;
  attempt?: number;
  /** Which process claimed the attempt. */
  owner?: string;
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
    owner: String,
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
