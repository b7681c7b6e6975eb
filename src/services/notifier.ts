import type { Logger } from '../logger';
import { insertOnce } from '../db/insert-once';
import type { Models } from '../models/models';
import type { NotificationAttemptDoc, NotificationAudience, NotificationDoc } from '../models/notification.model';
import type { Announcement, CardView } from '../views/view-model';
import type { TimerWheel } from './timer-wheel';

export type DeliveryOutcome =
  | { kind: 'delivered'; location?: { channel: string; messageId: string } }
  /** Try again later: a rate limit (with the platform's Retry-After), a server error, the network. */
  | { kind: 'retry'; afterMs?: number; error: string }
  /** Trying again cannot help (no such channel or person); the notification is kept as failed. */
  | { kind: 'failed'; error: string };

/** A platform's way to post a notification (implemented by each adapter). */
export interface NotificationDeliverer {
  readonly platform: string;
  deliver(notification: NotificationDoc): Promise<DeliveryOutcome>;
  /** Whether an attempt whose outcome is unknown (its process died) reached the platform after all. */
  wasDelivered(notification: NotificationDoc, since: Date): Promise<boolean>;
}

export interface NotificationStatus {
  state: 'pending' | 'delivered' | 'failed';
  /** Attempts whose outcome is known. */
  attempts: number;
  lastError?: string;
  location?: { channel: string; messageId: string };
}

export interface NotificationRequest {
  recordId: string;
  /** Why, e.g. `sla.resolution.75`: with the recipient, what makes a notification unique. */
  reason: string;
  audience: NotificationAudience;
  view: CardView;
}

const DELIVER = 'deliver';
/** An attempt still unanswered after this long is taken to have died with its process. */
const ATTEMPT_LEASE_MS = 2 * 60_000;
const MAX_ATTEMPTS = 40;
const MAX_BACKOFF_MS = 15 * 60_000;

export const recipientKey = (audience: NotificationAudience): string =>
  audience.kind === 'person' ? audience.personId : audience.kind;

/**
 * The one way out for messages nobody asked for in that moment (DESIGN.md, Notifications):
 * `notify` stores the notification (its `_id` dedupes per record, reason, recipient and platform)
 * and schedules its delivery; delivery attempts run from the timer wheel, each claimed once,
 * with back-off and the platform's Retry-After, and are never abandoned silently.
 */
export class Notifier {
  private readonly deliverers = new Map<string, NotificationDeliverer>();
  /** Platforms the configuration reaches people on, whether or not this process can deliver there. */
  private readonly expected = new Set<string>();

  constructor(
    private readonly models: Models,
    private readonly wheel: TimerWheel,
    private readonly now: () => Date,
    private readonly log: Logger,
  ) {
    wheel.on(DELIVER, (ref) => this.attempt(ref));
  }

  register(deliverer: NotificationDeliverer): void {
    this.deliverers.set(deliverer.platform, deliverer);
  }

  /**
   * Notifications are stored for this platform even in a process that cannot deliver there (no
   * adapter configured in it): a process that can delivers them, instead of their being lost.
   */
  expectPlatform(platform: string): void {
    this.expected.add(platform);
  }

  get platforms(): string[] {
    return [...new Set([...this.expected, ...this.deliverers.keys()])];
  }

  /**
   * Stores the notification once per platform; returns how many were new. `deliverNow`: a person
   * is waiting on it (an answer to what they just did): this process tries at once, without waiting,
   * where it can; the delivery timer stays the fallback.
   */
  async notify(request: NotificationRequest, options: { deliverNow?: boolean } = {}): Promise<number> {
    let stored = 0;
    for (const platform of this.platforms) {
      const id = `${request.recordId}:${request.reason}:${recipientKey(request.audience)}:${platform}`;
      const known = await this.models.Notification.findById(id).lean();
      if (known) continue;
      // The delivery timer first: if the process dies between the two writes, the timer finds
      // nothing and the caller, whose own timer was not yet done, runs again and stores it.
      await this.wheel.schedule(DELIVER, `${id}#1`, this.now());
      const doc: NotificationDoc = {
        _id: id,
        recordId: request.recordId,
        reason: request.reason,
        platform,
        audience: request.audience,
        view: request.view,
        createdAt: this.now(),
      };
      if (!(await insertOnce(this.models.Notification, doc))) continue;
      stored += 1;
      if (options.deliverNow && this.deliverers.has(platform)) {
        // The attempt is claimed by insert: the timer meeting it later does nothing.
        this.attempt(`${id}#1`).catch((error: unknown) => this.log.error({ err: error, id }, 'immediate delivery failed; the timer retries it'));
      }
    }
    return stored;
  }

  /**
   * A handler's announcements to people (the requester told of a resolution), on every platform:
   * stored, and tried at once since someone just acted. Returns the others (the channel's card),
   * which the acting platform posts itself.
   */
  async tellPeople(announcements: readonly Announcement[]): Promise<Announcement[]> {
    const rest: Announcement[] = [];
    for (const announcement of announcements) {
      const { audience } = announcement;
      if (audience.kind !== 'person') {
        rest.push(announcement);
        continue;
      }
      await this.notify({ recordId: announcement.recordId, reason: announcement.reason, audience, view: announcement.view }, { deliverNow: true });
    }
    return rest;
  }

  /** What became of a notification: pending, delivered or failed, after how many attempts. */
  async status(id: string): Promise<NotificationStatus> {
    const final = await this.models.NotificationAttempt.findById(`${id}#final`).lean<NotificationAttemptDoc>();
    let attempts = 0;
    let last: NotificationAttemptDoc | null = null;
    for (;;) {
      const outcome = await this.models.NotificationAttempt.findById(`${id}#${attempts + 1}!`).lean<NotificationAttemptDoc>();
      if (!outcome) break;
      attempts += 1;
      last = outcome;
    }
    const state = final ? (final.outcome === 'delivered' ? 'delivered' : 'failed') : 'pending';
    return { state, attempts, ...(last?.error ? { lastError: last.error } : {}), ...(final?.location ? { location: final.location } : {}) };
  }

  /** One delivery attempt, `ref` = `<notification id>#<attempt number>`. */
  async attempt(ref: string): Promise<void> {
    const hash = ref.lastIndexOf('#');
    const id = ref.slice(0, hash);
    const attempt = Number(ref.slice(hash + 1));
    const Attempts = this.models.NotificationAttempt;
    const [notification, final, previous] = await Promise.all([
      this.models.Notification.findById(id).lean<NotificationDoc>(),
      Attempts.findById(`${id}#final`).lean(),
      attempt > 1 ? Attempts.findById(`${id}#${attempt - 1}!`).lean<NotificationAttemptDoc>() : Promise.resolve(null),
    ]);
    if (!notification || final) return;
    const deliverer = this.deliverers.get(notification.platform);
    if (!deliverer) {
      this.log.warn({ id, platform: notification.platform }, 'no deliverer for the platform; the notification waits');
      await this.wheel.schedule(DELIVER, ref, new Date(this.now().getTime() + MAX_BACKOFF_MS));
      return;
    }
    // A lease timer meeting a refusal that asked us to wait longer (Retry-After) steps aside.
    if (previous?.retryAt && previous.retryAt.getTime() > this.now().getTime()) return;
    // Should this process die after the claim (during the call, or before anything else), the next
    // attempt happens after the lease: set before the claim, so that no crash can leave it unset.
    await this.wheel.schedule(DELIVER, `${id}#${attempt + 1}`, new Date(this.now().getTime() + ATTEMPT_LEASE_MS));
    if (!(await insertOnce(Attempts, { _id: `${id}#${attempt}`, notificationId: id, attempt, at: this.now() }))) return;

    if (attempt > 1 && !previous) {
      // The attempt before this one was claimed and never answered: its process died during the call.
      const first = await Attempts.findById(`${id}#1`).lean<NotificationAttemptDoc>();
      if (await this.reachedAfterAll(deliverer, notification, first?.at ?? notification.createdAt)) {
        await this.record(id, attempt, { outcome: 'delivered' }, true);
        this.log.info({ id }, 'an interrupted delivery had reached the platform; not sent again');
        return;
      }
    }

    const outcome = await deliverer.deliver(notification).catch(
      (error: unknown): DeliveryOutcome => ({ kind: 'retry', error: String((error as Error)?.message ?? error) }),
    );
    switch (outcome.kind) {
      case 'delivered':
        await this.record(id, attempt, { outcome: 'delivered', ...(outcome.location ? { location: outcome.location } : {}) }, true);
        return;
      case 'failed':
        await this.record(id, attempt, { outcome: 'failed', error: outcome.error }, true);
        this.log.error({ id, error: outcome.error }, 'notification cannot be delivered');
        return;
      case 'retry': {
        if (attempt >= MAX_ATTEMPTS) {
          await this.record(id, attempt, { outcome: 'failed', error: outcome.error }, true);
          this.log.error({ id, attempts: attempt, error: outcome.error }, 'notification still refused after every attempt');
          return;
        }
        const backoff = Math.min(MAX_BACKOFF_MS, 5_000 * 2 ** (attempt - 1)) * (0.75 + Math.random() / 2);
        const retryAt = new Date(this.now().getTime() + (outcome.afterMs ?? backoff));
        await this.record(id, attempt, { outcome: 'retry', error: outcome.error, retryAt }, false);
        this.log.warn({ id, attempt, retryAt, error: outcome.error }, 'notification delivery refused; trying again');
        await this.wheel.schedule(DELIVER, `${id}#${attempt + 1}`, retryAt);
      }
    }
  }

  private async reachedAfterAll(deliverer: NotificationDeliverer, notification: NotificationDoc, since: Date): Promise<boolean> {
    try {
      return await deliverer.wasDelivered(notification, since);
    } catch (error) {
      // Cannot tell: sending again risks a double, not sending risks a loss; a person would rather read it twice.
      this.log.warn({ err: error, id: notification._id }, 'could not check an interrupted delivery; sending again');
      return false;
    }
  }

  /** The attempt's outcome and, when it is the last word, the notification's end. */
  private async record(id: string, attempt: number, outcome: Omit<NotificationAttemptDoc, '_id' | 'notificationId' | 'at'>, final: boolean): Promise<void> {
    const at = this.now();
    await insertOnce(this.models.NotificationAttempt, { _id: `${id}#${attempt}!`, notificationId: id, attempt, at, ...outcome });
    if (final) await insertOnce(this.models.NotificationAttempt, { _id: `${id}#final`, notificationId: id, at, ...outcome });
  }
}
