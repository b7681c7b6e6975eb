import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Logger } from '../logger';
import { findByIdTogether, findByIdsTogether } from '../db/find-by-ids';
import { insertEachOnce, insertOnce } from '../db/insert-once';
import { retryWhileBusy } from '../db/retry-while-busy';
import type { Models } from '../models/models';
import type { NotificationAttemptDoc, NotificationAudience, NotificationDoc } from '../models/notification.model';
import type { Announcement, CardView, View } from '../views/view-model';
import { BoundedQueue, waitAside, type QueueLoad } from './bounded-queue';
import type { BeginGate } from '../db/pool-pressure';
import { LATE_AFTER_MS, LateWork } from './late-work';
import { sleep } from './pacing';
import { within } from './within';
import type { TimerWheel } from './timer-wheel';
import type { PlatformPresence } from './platform-presence';

export type DeliveryOutcome =
  | { kind: 'delivered'; location?: { channel: string; messageId: string } }
  /**
   * Try again later: a rate limit (with the platform's Retry-After), a server error, the network;
   * or `waiting`, nothing refused: for a turn reserved further off, or for the card a line follows.
   */
  | { kind: 'retry'; afterMs?: number; error: string; waiting?: boolean }
  /** Trying again cannot help (no such channel or person); the notification is kept as failed. */
  | { kind: 'failed'; error: string };

/** A platform's way to post a notification (implemented by each adapter). */
export interface NotificationDeliverer {
  readonly platform: string;
  /**
   * `again`: an earlier attempt was made (refused, or its process died during it). A wait (for the
   * platform's turn) ends when the notifier's `stopping` signal aborts: the attempt is then handed back.
   */
  deliver(notification: NotificationDoc, again?: boolean): Promise<DeliveryOutcome>;
  /** Whether an attempt whose outcome is unknown (its process died) reached the platform after all. */
  wasDelivered(notification: NotificationDoc, since: Date): Promise<boolean>;
}

/** Which process this is, and whether another is alive (its attempts are its own until it dies). */
export interface Liveness {
  readonly processId: string;
  isAlive(processId: string): Promise<boolean>;
}

const ALONE: Liveness = { processId: 'this-process', isAlive: async () => false };

export interface NotifierOptions {
  /** Which process this is (default: one alone, whose attempts no other process owns). */
  liveness?: Liveness;
  /** Whether some live process delivers to a platform this one cannot; without it, one is taken to. */
  presence?: Pick<PlatformPresence, 'served' | 'everServed'>;
  /** While it holds back, deliveries wait to begin (`src/db/pool-pressure.ts`). */
  beginGate?: BeginGate;
  /** LEASE_WAITS_FOR_ROOM_MS (tests shorten it). */
  leaseWaitsForRoomMs?: number;
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
  views?: View[];
  /** The platform's workspace the request came from (several Slack workspaces installed by OAuth). */
  workspace?: string;
}

/** The private answer to what a person just did, on the platform where they did it. */
export interface PrivateReply {
  platform: string;
  user: string;
  /** Where they acted (an ephemeral there); none: their direct message with the app. */
  channel?: string | undefined;
  /** The thread they asked in, answered there for everyone in the channel (a mention). */
  thread?: string | undefined;
  /**
   * Where the platform takes an answer to this very interaction (Slack's response URL, valid 30
   * minutes): it counts against no method's limit, so a storm's answers need not wait their turns.
   */
  responseUrl?: string | undefined;
  /** The request it answers: a replay of the request finds its answer stored already. */
  requestKey: string;
  views: View[];
}

/** An attempt due now or at a time the platform or a back-off set: `<id>#<attempt>[~<hands>]`. */
const DELIVER = 'deliver';
/**
 * The lease of an attempt (`<id>#<attempt>`): it makes the attempt should the one before have died
 * with its process, or comes back once the queue had room. Mostly it finds the notification
 * delivered, so leases begin behind the other timers fired on time (`TimerWheel.on`).
 */
const DELIVER_LEASE = 'deliver-lease';
/** The leases of what one call stored, in one timer: its ref is their `<id>#2` refs, one per line. */
const DELIVER_ALL = 'deliver-all';
/**
 * How long a lease's timer meeting a full delivery queue waits for room before putting its attempt
 * off by another lease. Under the soak's backlog every waiting message came back once a lease, and
 * each time wrote its next lease: 38,718 leases began late in 30 minutes, the writes of the ones
 * after them among the database's busiest work. Waiting, the lease holds one of the places of the
 * timers behind the others (the wheel's BEHIND_AT_ONCE): the rest of the backlog waits unbegun, as
 * timers, and writes nothing.
 */
const LEASE_WAITS_FOR_ROOM_MS = 20_000;
/**
 * Places to wait in the delivery queue that a lease waiting for room leaves to first attempts: a
 * page or a reply just stored goes before a message already put off, rather than being put off
 * itself because the backlog took the room first.
 */
const ROOM_LEFT_FOR_FIRST_ATTEMPTS = 30;
/**
 * What the notifier says, at most once a minute, of the deliveries made 30 s or more after they were
 * stored, by audience (a page is `person`): a page an escalation sent on time but delivered minutes
 * later is a promise kept late all the same.
 */
export const DELIVERIES_MADE_LATE = 'deliveries made late: the platforms\' limits or this process are behind';
/** An attempt still unanswered after this long is taken to have died with its process. */
export const ATTEMPT_LEASE_MS = 2 * 60_000;
const MAX_ATTEMPTS = 40;
const MAX_BACKOFF_MS = 15 * 60_000;
/** A refusal asking to wait at most this long is waited out within the attempt (up to MAX_HELD_RETRIES times). */
const HOLD_RETRY_MS = 10_000;
const MAX_HELD_RETRIES = 5;
/** A process without the platform's deliverer passes the attempt on this soon (to another shard, so another process). */
const HAND_ON_MS = 2_000;
const MAX_HANDS_ON = 30;
/** Last words of deliveries ending this close together are written in one command, up to this many. */
const FINALS_WINDOW_MS = 10;
const FINALS_PER_WRITE = 200;

/**
 * The delivery queue's bounds. Under the soak's sustained backlog a queue of 300 at work and 600
 * waiting was full from minute 7 to the end, those at work waiting for the database rather than a
 * platform: a third as many leave the same backlog in the database (leases) rather than in the work
 * thread's heap (docs/benchmarks.md). A delivery refused waits for its lease.
 */
const DELIVERIES_AT_WORK = 100;
const DELIVERIES_WAITING = 300;
const DELIVERIES_ASIDE = 600;

export function recipientKey(audience: NotificationAudience): string {
  if (audience.kind === 'person') return audience.personId;
  if (audience.kind === 'person-card') return `card@${audience.personId}`;
  if (audience.kind === 'group-card') return `card@group:${audience.group}`;
  return audience.kind;
}

const notificationId = (request: NotificationRequest, platform: string): string =>
  `${request.recordId}:${request.reason}:${recipientKey(request.audience)}:${platform}`;

/** `<notification id>#<attempt>`, and `~<n>` once handed on by processes that cannot deliver it. */
const REF = /^(.*)#(\d+)(?:~(\d+))?$/;
/** The platform a delivery timer's ref is for: its notification id's last part. */
const platformOfRef = (ref: string): string | undefined => REF.exec(ref)?.[1]?.split(':').at(-1);

/**
 * The one way out (docs/architecture.md, notifications): everything opsdesk posts is stored first (the
 * `_id` dedupes per record, reason, recipient and platform), then tried at once by this process
 * when it can deliver there, beside the timer wheel rather than in its tick. A lease timer set
 * before each attempt makes the next one should the process die; refusals come back with
 * back-off or the platform's Retry-After; nothing is abandoned silently.
 */
export class Notifier {
  private readonly deliverers = new Map<string, NotificationDeliverer>();
  /** Platforms the configuration reaches people on, whether or not this process can deliver there. */
  private readonly expected = new Set<string>();
  /**
   * Up to DELIVERIES_AT_WORK deliveries at work, DELIVERIES_WAITING waiting to begin, and
   * DELIVERIES_ASIDE waiting aside for their turns; none begun while the database has many
   * operations waiting for a connection (`beginGate`).
   */
  private readonly queue: BoundedQueue;
  /** Platforms this process found nobody delivering to (said once each). */
  private readonly unserved = new Set<string>();
  /** Platforms this process found nobody ever having delivered to (said once each). */
  private readonly neverServed = new Set<string>();
  /** Last words waiting (at most FINALS_WINDOW_MS) to be written together, and the writes under way. */
  private readonly finalsDue: NotificationAttemptDoc[] = [];
  private finalsTimer: NodeJS.Timeout | undefined;
  private readonly finalsWriting = new Set<Promise<void>>();
  /** How many last words the writes under way hold. */
  private finalsInWrite = 0;
  private readonly liveness: Liveness;
  private readonly presence: Pick<PlatformPresence, 'served' | 'everServed'>;
  private readonly leaseWaitsForRoomMs: number;
  /** Deliveries made 30 s or more after they were stored, by audience, told once a minute. */
  private readonly late = new LateWork();
  /** Attempts handed back to the timer wheel since the stop began. */
  private handedBack = 0;
  /**
   * The stop's grace is over: what still runs ends without writing (the database is closing), and
   * its lease asks the platform whether it got there, as after a crash.
   */
  private givenUp = false;
  private readonly stopper = new AbortController();
  /** Aborted when the process stops: deliveries waiting for their turn give up and are handed back. */
  readonly stopping: AbortSignal = this.stopper.signal;

  constructor(
    private readonly models: Models,
    private readonly wheel: TimerWheel,
    private readonly now: () => Date,
    private readonly log: Logger,
    options: NotifierOptions = {},
  ) {
    this.liveness = options.liveness ?? ALONE;
    this.presence = options.presence ?? { served: async () => true, everServed: async () => true };
    this.leaseWaitsForRoomMs = options.leaseWaitsForRoomMs ?? LEASE_WAITS_FOR_ROOM_MS;
    this.queue = new BoundedQueue(DELIVERIES_AT_WORK, DELIVERIES_WAITING, { asleepLimit: DELIVERIES_ASIDE, ...(options.beginGate ? { gate: options.beginGate } : {}) });
    wheel.on(DELIVER, (ref) => this.onTimer(ref));
    wheel.on(DELIVER_LEASE, (ref) => this.onTimer(ref, Date.now() + this.leaseWaitsForRoomMs), { behindOthers: true });
    wheel.on(DELIVER_ALL, (refs) => this.onLeases(refs.split('\n')), { behindOthers: true });
    // Every delivery waiting for its turn listens for the stop.
    setMaxListeners(0, this.stopping);
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

  /** The platforms this process delivers to itself. */
  get delivering(): string[] {
    return [...this.deliverers.keys()];
  }

  get platforms(): string[] {
    return [...new Set([...this.expected, ...this.deliverers.keys()])];
  }

  /** Resolves once no delivery of this process waits or runs. */
  async idle(): Promise<void> {
    await this.queue.idle();
    await this.finalsWritten();
  }

  /**
   * Stopping: deliveries waiting for their turn, or not yet begun, are handed back to the timer
   * wheel as due now (another process, or the restart, takes them at once instead of after the
   * lease); those talking to the platform are given `graceMs` to finish, and the outcomes written
   * by then `graceMs` again to be stored. An outcome not stored leaves its lease to ask the platform
   * whether the message got there: with the database gone away, each write would wait out the
   * driver's server selection, and the stop its deadline.
   */
  async stop(graceMs: number): Promise<{ running: number; unrecorded: number; handedBack: number }> {
    this.stopper.abort();
    await within(graceMs, this.queue.idle());
    await within(graceMs, this.finalsWritten());
    this.givenUp = true;
    return { running: this.queue.size, unrecorded: this.finalsDue.length + this.finalsInWrite, handedBack: this.handedBack };
  }

  /**
   * Stores the notification once per platform and tries it at once where this process can deliver
   * (queued: the caller goes on); returns how many were new. `deliverNow`: a person is waiting on
   * it, so the caller waits for the first attempt too.
   */
  async notify(request: NotificationRequest, options: { deliverNow?: boolean } = {}): Promise<number> {
    const fresh = await this.storeUnderOneLease([request]);
    await this.deliverFresh(fresh, options.deliverNow ?? false);
    return fresh.length;
  }

  /**
   * Several notifications of one event (a milestone's line and its DMs, a step's pages): stored
   * under one lease timer rather than one each, then tried at once side by side (one waiting for
   * its channel's turn does not hold up the others). Returns how many were new.
   */
  async notifyAll(requests: readonly NotificationRequest[]): Promise<number> {
    const fresh = await this.storeUnderOneLease(requests);
    await this.deliverFresh(fresh, false, 'side by side');
    return fresh.length;
  }

  /**
   * What a handler's result posts, stored before this resolves and then tried at once, since
   * someone just acted: for a channel, the record's card (posted or edited in place) and then its
   * thread line; for a person, a direct message; and the private reply to the actor.
   */
  async announce(announcements: readonly Announcement[], reply?: PrivateReply, where: { workspace?: string } = {}): Promise<void> {
    const requests = announcements.flatMap((a) => this.outboxMessagesOf(a)).map((r) => ({ ...r, ...where }));
    if (reply) {
      const card = reply.views.find((v): v is CardView => v.kind === 'card');
      requests.push({
        // Keyed by the request alone: its replay may answer with other views (told it was done).
        recordId: 'request',
        reason: `reply.${reply.requestKey}`,
        audience: {
          kind: 'reply',
          platform: reply.platform,
          user: reply.user,
          ...(reply.channel ? { channel: reply.channel } : {}),
          ...(reply.channel && reply.thread ? { thread: reply.thread } : {}),
          ...(reply.responseUrl ? { responseUrl: reply.responseUrl } : {}),
        },
        view: card ?? { kind: 'card', title: '', fields: [], actions: [] },
        views: reply.views,
        ...where,
      });
    }
    await this.deliverFresh(await this.storeUnderOneLease(requests), false);
  }

  /**
   * The lease of their first attempts, then the notifications themselves: should this process die
   * before those attempts end, the lease's timer makes the next ones. One lease for them all (set
   * before any is stored) rather than a timer each, and one write; what was new. One stored already
   * (the same reason told again, a replay) leaves only a lease that will find it done.
   */
  private async storeUnderOneLease(requests: readonly NotificationRequest[]): Promise<NotificationDoc[]> {
    const platforms = await this.platformsOfEach(requests);
    const ids = requests.flatMap((r, i) => (platforms[i] as string[]).map((platform) => notificationId(r, platform)));
    if (ids.length > 0) await this.wheel.schedule(DELIVER_ALL, ids.map((id) => `${id}#2`).join('\n'), new Date(this.now().getTime() + ATTEMPT_LEASE_MS));
    return this.insertFresh(requests.flatMap((request, i) => this.docsOf(request, platforms[i] as string[])));
  }

  /**
   * The first attempt of what was just stored: here, one after another in the order announced (a
   * thread line needs its card) with the private reply beside them (it needs nothing drawn first,
   * and a card listed in a backed-up channel's digest waits for the digest's next edit), or each
   * beside the others; queued beside the caller or awaited (`wait`); for a platform this process
   * cannot deliver to, through the wheel to a process that can.
   */
  private async deliverFresh(fresh: readonly NotificationDoc[], wait: boolean, order: 'as announced' | 'side by side' = 'as announced'): Promise<void> {
    const here = fresh.filter((doc) => this.deliverers.has(doc.platform));
    // Another live process delivers there: handed to it at once. With none, the lease timer set
    // when they were stored sets them aside (onLeases).
    for (const doc of fresh) if (!here.includes(doc) && (await this.served(doc.platform))) await this.wheel.schedule(DELIVER, `${doc._id}#1`, this.now());
    if (here.length === 0) return;
    const chains = order === 'side by side' ? here.map((doc) => [doc]) : [here.filter((doc) => doc.audience.kind !== 'reply'), here.filter((doc) => doc.audience.kind === 'reply')];
    const attempts = async () => {
      await Promise.all(
        chains.map(async (chain) => {
          for (const doc of chain) await this.run(doc, 1, false);
        }),
      );
    };
    if (wait) {
      await attempts();
      await this.finalsWritten();
    } else if (!this.queue.offer(attempts)) {
      // Full (a backlog held up by the platforms' limits): the first attempt ends here, said so, so
      // that the lease timer set when they were stored tries them in whichever process it falls.
      const at = this.now();
      await this.record(here.map((doc) => ({ _id: `${doc._id}#1!`, notificationId: doc._id, attempt: 1, at, outcome: 'retry', error: 'the delivery queue was full', retryAt: at })));
    }
  }

  /** Outcomes of attempts, in one write; one that cannot be written leaves its lease to try again. */
  private async record(outcomes: readonly NotificationAttemptDoc[]): Promise<void> {
    try {
      await insertEachOnce(this.models.NotificationAttempt, outcomes, () => true);
    } catch (error) {
      const ids = outcomes.map((doc) => doc._id);
      if (this.givenUp) this.log.debug({ err: error, ids }, 'delivery attempts left unrecorded by the stop; their leases retry them');
      else this.log.error({ err: error, ids }, 'delivery attempts could not be recorded; their leases retry them');
    }
  }

  private outboxMessagesOf(announcement: Announcement): NotificationRequest[] {
    const { audience, view, recordId } = announcement;
    if (audience.kind === 'person') return [{ recordId, reason: announcement.reason, audience, view }];
    // One drawing per version of the record (and per `key`, for a change that keeps the version).
    const drawing = `card.${announcement.key ?? `v${view.version ?? announcement.reason}`}`;
    if (audience.kind === 'personCard') return [{ recordId, reason: drawing, audience: { kind: 'person-card', personId: audience.personId }, view }];
    if (audience.kind === 'groupCard') return [{ recordId, reason: drawing, audience: { kind: 'group-card', group: audience.group }, view }];
    if (audience.kind !== 'channel') {
      this.log.warn({ recordId, audience }, 'no way to post to this audience yet');
      return [];
    }
    // One card per version of the record (an unchanged record's card needs no edit), one line per announcement.
    const version = view.version !== undefined ? `v${view.version}` : announcement.reason;
    const { threadLine, ...card } = view;
    const messages: NotificationRequest[] = [{ recordId, reason: `card.${version}`, audience: { kind: 'card', service: audience.service }, view: card }];
    if (threadLine) {
      const key = announcement.key ?? `${announcement.reason}.${version}`;
      messages.push({ recordId, reason: `line.${key}`, audience: { kind: 'thread', service: audience.service, afterCard: true }, view: { ...card, text: threadLine } });
    }
    return messages;
  }

  /** Whether the audience was told (stored to tell, on any platform) of the record for this reason. */
  async told(recordId: string, reason: string, audience: NotificationAudience): Promise<boolean> {
    for (const platform of this.platforms) {
      if (await this.models.Notification.findById(`${recordId}:${reason}:${recipientKey(audience)}:${platform}`).lean()) return true;
    }
    return false;
  }

  /**
   * Tries at once a notification whose last refusal asked it to wait, now that what it waited for
   * has come (a quiet channel): the refusal's wait is cut short and the next attempt set due now.
   * False when it has ended, or none of its attempts was refused yet (one is under way).
   */
  async wake(id: string): Promise<boolean> {
    const Attempts = this.models.NotificationAttempt;
    if (await findByIdTogether(Attempts, `${id}#final`)) return false;
    let refused = 0;
    while (await findByIdTogether(Attempts, `${id}#${refused + 1}!`, { _id: 1 })) refused += 1;
    if (refused === 0) return false;
    await retryWhileBusy(() => Attempts.updateOne({ _id: `${id}#${refused}!` }, { $set: { retryAt: this.now() } }));
    await this.wheel.schedule(DELIVER, `${id}#${refused + 1}`, this.now());
    return true;
  }

  /** The delivery queue now: deliveries waiting to begin, at work, and waiting aside for their turns. */
  load(): QueueLoad {
    return this.queue.load();
  }

  /** What became of a notification: pending, delivered or failed, after how many attempts. */
  async status(id: string): Promise<NotificationStatus> {
    const final = await this.models.NotificationAttempt.findById(`${id}#final`).lean<NotificationAttemptDoc>();
    let refusals = 0;
    let last: NotificationAttemptDoc | null = null;
    for (;;) {
      const refusal = await this.models.NotificationAttempt.findById(`${id}#${refusals + 1}!`).lean<NotificationAttemptDoc>();
      if (!refusal) break;
      refusals += 1;
      last = refusal;
    }
    const state = final ? (final.outcome === 'delivered' ? 'delivered' : 'failed') : 'pending';
    const lastError = final?.error ?? last?.error;
    return { state, attempts: final?.attempt ?? refusals, ...(lastError ? { lastError } : {}), ...(final?.location ? { location: final.location } : {}) };
  }

  private docsOf(request: NotificationRequest, platforms: readonly string[]): NotificationDoc[] {
    return platforms.map((platform) => ({
      _id: notificationId(request, platform),
      recordId: request.recordId,
      reason: request.reason,
      platform,
      audience: request.audience,
      view: request.view,
      ...(request.views ? { views: request.views } : {}),
      ...(request.workspace ? { workspace: request.workspace } : {}),
      storedBy: this.liveness.processId,
      createdAt: this.now(),
    }));
  }

  /** Stores them in one write; those that were new (stored by this call, not found stored already). */
  private insertFresh(docs: readonly NotificationDoc[]): Promise<NotificationDoc[]> {
    const storedAs = randomUUID();
    return insertEachOnce(this.models.Notification, docs.map((doc) => ({ ...doc, storedAs })), (stored) => stored.storedAs === storedAs);
  }

  /**
   * The platforms each request is stored for: a reply's own; otherwise every platform in use that
   * this process delivers to or some process ever has. One that none ever has (Teams named in the
   * configuration of a desk that runs Slack alone) gets nothing stored: nobody would read it, and
   * each would cost the database its writes and timers. From the first time a process delivers
   * there, everything is kept for it, through its outages.
   */
  private async platformsOfEach(requests: readonly NotificationRequest[]): Promise<string[][]> {
    const served: string[] = [];
    for (const platform of this.platforms) {
      if (this.deliverers.has(platform) || (await this.presence.everServed(platform))) served.push(platform);
      else this.sayNeverServed(platform);
    }
    return requests.map((request) => (request.audience.kind === 'reply' ? [request.audience.platform] : served));
  }

  /**
   * The lease timer of what one call stored. What is for a platform no live process delivers to is
   * set aside together, in one timer, rather than each on its own (each costing the wheel a timer
   * and its reads, every turn): with Slack alone and a configuration naming Teams channels, that
   * was most of the database's work under load.
   */
  private async onLeases(refs: readonly string[]): Promise<void> {
    const aside: string[] = [];
    // Most were delivered long before their lease: what became of them all is read in one find.
    const finals = await findByIdsTogether(this.models.NotificationAttempt, refs.map((ref) => `${REF.exec(ref)?.[1] ?? ref}#final`), { _id: 1 });
    const roomUntil = Date.now() + this.leaseWaitsForRoomMs;
    for (const [i, ref] of refs.entries()) {
      if (finals[i]) continue;
      const platform = platformOfRef(ref);
      if (platform && !this.deliverers.has(platform) && !(await this.served(platform))) aside.push(ref);
      else await this.onTimer(ref, roomUntil);
    }
    if (aside.length > 0) await this.wheel.schedule(DELIVER_ALL, aside.join('\n'), new Date(this.now().getTime() + MAX_BACKOFF_MS));
  }

  /** Whether some live process delivers to `platform` (said once when none does). */
  private async served(platform: string): Promise<boolean> {
    const served = await this.presence.served(platform);
    if (!served) this.sayUnserved(platform);
    return served;
  }

  /**
   * A delivery timer: `ref` = `<notification id>#<attempt>`, claimed once, then queued. A full
   * queue puts the attempt off by a lease, unless `roomUntil` (a lease's timer, a time on
   * `Date.now`'s clock): then it first waits for room until then.
   */
  private async onTimer(ref: string, roomUntil?: number): Promise<void> {
    const [, id = '', attemptText = '1', handsText] = REF.exec(ref) ?? [];
    const attempt = Number(attemptText);
    const Attempts = this.models.NotificationAttempt;
    // Its end and the last attempt's refusal, read with those of the other timers the tick fires at once: one find for all.
    const [final, previous = null] = await findByIdsTogether<NotificationAttemptDoc>(Attempts, attempt > 1 ? [`${id}#final`, `${id}#${attempt - 1}!`] : [`${id}#final`]);
    if (final) return;
    // A lease timer meeting a refusal that asked us to wait longer (Retry-After) steps aside.
    if (previous?.retryAt && previous.retryAt.getTime() > this.now().getTime()) return;
    // A full queue takes no more: this attempt comes back after a lease, unclaimed. Known before
    // reading the notification (its platform is in its id), since while a backlog lasts every
    // waiting message comes here once a lease.
    if (this.queue.full && this.deliverers.has(platformOfRef(ref) ?? '') && !(await this.roomBefore(roomUntil))) return this.afterALease(id, attempt);
    const notification = await findByIdTogether<NotificationDoc>(this.models.Notification, id);
    if (!notification) return;
    if (!this.deliverers.has(notification.platform)) {
      // Another process can: the attempt moves to another shard (the `~n` changes it), so another
      // process's tick. With none alive that can, it waits as long as the longest back-off, rather
      // than going round the processes every few seconds (each turn costs the wheel a timer).
      const hands = Number(handsText ?? 0) + 1;
      const served = await this.served(notification.platform);
      if (hands === 1 && served) this.log.info({ id, platform: notification.platform }, 'no deliverer for the platform here; handed on to another process');
      const wait = hands > MAX_HANDS_ON || !served ? MAX_BACKOFF_MS : HAND_ON_MS;
      await this.wheel.schedule(DELIVER, `${id}#${attempt}~${hands % 1_000}`, new Date(this.now().getTime() + wait));
      return;
    }
    if (attempt > 1 && !previous && (await this.stillAttempting(notification, attempt - 1))) {
      // The attempt before is still under way in a live process (waiting for its turn in a busy
      // channel, say): its lease is extended rather than the message sent twice.
      await this.wheel.schedule(DELIVER_LEASE, `${id}#${attempt}`, new Date(this.now().getTime() + ATTEMPT_LEASE_MS));
      return;
    }
    if (this.queue.full && !(await this.roomBefore(roomUntil))) return this.afterALease(id, attempt);
    // Should this process die after the claim (queued, during the call), the next attempt happens
    // after the lease: set before the claim, so that no crash can leave it unset.
    await this.wheel.schedule(DELIVER_LEASE, `${id}#${attempt + 1}`, new Date(this.now().getTime() + ATTEMPT_LEASE_MS));
    if (!(await insertOnce(Attempts, { _id: `${id}#${attempt}`, notificationId: id, attempt, owner: this.liveness.processId, at: this.now() }))) return;
    // The attempt before this one left no word: its process died during it.
    const interrupted = attempt > 1 && !previous;
    if (this.queue.offer(() => this.run(notification, attempt, interrupted))) return;
    // Filled meanwhile: the attempt ends here, said so, and the lease timer set above makes the next.
    await insertOnce(Attempts, { _id: `${id}#${attempt}!`, notificationId: id, attempt, at: this.now(), outcome: 'retry', error: 'the delivery queue was full', retryAt: this.now() });
  }

  /** Counts a delivery made late (by its audience's kind), and says once a minute which were. */
  private madeLate(notification: NotificationDoc): void {
    this.late.record(notification.audience.kind, this.now().getTime() - new Date(notification.createdAt).getTime());
    const late = this.late.due(this.now().getTime());
    // A measure, like the load line, rather than an alarm: a platform's limits alone make a backlog
    // of card edits late, and a stop under load hands deliveries to the next process.
    if (late) this.log.info({ late, lateAfterMs: LATE_AFTER_MS }, DELIVERIES_MADE_LATE);
  }

  /** Whether the delivery queue has room before `until` (none asked: whether it has now). */
  private async roomBefore(until: number | undefined): Promise<boolean> {
    if (!this.queue.full) return true;
    if (until === undefined) return false;
    return this.queue.roomWithin(Math.max(0, until - Date.now()), this.stopping, ROOM_LEFT_FOR_FIRST_ATTEMPTS);
  }

  /** The attempt comes back after a lease, unclaimed. */
  private async afterALease(id: string, attempt: number): Promise<void> {
    await this.wheel.schedule(DELIVER_LEASE, `${id}#${attempt}`, new Date(this.now().getTime() + ATTEMPT_LEASE_MS));
  }

  /** Said once per platform and process: nobody has ever delivered there, so nothing is stored for it. */
  private sayNeverServed(platform: string): void {
    if (this.neverServed.has(platform)) return;
    this.neverServed.add(platform);
    this.log.info({ platform }, `no process has ever delivered to ${platform}: its notifications are not stored until one does`);
  }

  /** Said once per platform and process: with nobody to deliver there, notifications wait. */
  private sayUnserved(platform: string): void {
    if (this.unserved.has(platform)) return;
    this.unserved.add(platform);
    this.log.info({ platform }, `no running process delivers to ${platform}: its notifications are kept and tried every ${MAX_BACKOFF_MS / 60_000} minutes until one does`);
  }

  /** Whether attempt `attempt` was made by a process that is still alive (so it is still under way). */
  private async stillAttempting(notification: NotificationDoc, attempt: number): Promise<boolean> {
    const claim = await findByIdTogether<NotificationAttemptDoc>(this.models.NotificationAttempt, `${notification._id}#${attempt}`);
    // The first attempt of the process that stored it needs no claim.
    const owner = claim?.owner ?? (attempt === 1 ? notification.storedBy : undefined);
    return owner !== undefined && owner !== this.liveness.processId && (await this.liveness.isAlive(owner));
  }

  private async run(notification: NotificationDoc, attempt: number, interrupted: boolean): Promise<void> {
    const id = notification._id;
    try {
      if (this.givenUp) return;
      if (this.stopping.aborted) {
        await this.settle(notification, attempt, { kind: 'retry', afterMs: 0, error: 'handed back: the process was stopping', waiting: true });
        return;
      }
      const deliverer = this.deliverers.get(notification.platform) as NotificationDeliverer;
      if (interrupted && (await this.reachedAfterAll(deliverer, notification, notification.createdAt))) {
        this.finish(id, attempt, { outcome: 'delivered' });
        this.madeLate(notification);
        this.log.info({ id }, 'an interrupted delivery had reached the platform; not sent again');
        return;
      }
      let outcome: DeliveryOutcome;
      for (let held = 0; ; held++) {
        outcome = await deliverer.deliver(notification, attempt > 1 || held > 0).catch(
          (error: unknown): DeliveryOutcome => ({ kind: 'retry', error: String((error as Error)?.message ?? error) }),
        );
        // A short wait the platform asked for (Retry-After) is waited out here, within the lease,
        // rather than through the timer wheel's next turn.
        if (outcome.kind !== 'retry' || outcome.afterMs === undefined || outcome.afterMs > HOLD_RETRY_MS || held >= MAX_HELD_RETRIES) break;
        await waitAside(sleep(outcome.afterMs, this.stopping));
        // Handed back: tried again when the platform said, by whichever process runs the wheel then.
        if (this.stopping.aborted) {
          outcome = { ...outcome, waiting: true };
          break;
        }
      }
      if (this.givenUp) {
        this.log.debug({ id, attempt, outcome: outcome.kind }, 'a delivery ended after the stop gave up on it; its lease asks the platform');
        return;
      }
      await this.settle(notification, attempt, outcome);
    } catch (error) {
      // The database away while recording: the lease's timer tries again.
      if (this.givenUp) this.log.debug({ err: error, id, attempt }, 'a delivery attempt ended unrecorded by the stop; its lease retries it');
      else this.log.error({ err: error, id, attempt }, 'a delivery attempt could not be recorded; its lease retries it');
    }
  }

  private async settle(notification: NotificationDoc, attempt: number, outcome: DeliveryOutcome): Promise<void> {
    const id = notification._id;
    switch (outcome.kind) {
      case 'delivered':
        this.finish(id, attempt, { outcome: 'delivered', ...(outcome.location ? { location: outcome.location } : {}) });
        this.madeLate(notification);
        return;
      case 'failed':
        this.finish(id, attempt, { outcome: 'failed', error: outcome.error });
        this.log.error({ id, error: outcome.error }, 'notification cannot be delivered');
        return;
      case 'retry': {
        if (attempt >= MAX_ATTEMPTS) {
          this.finish(id, attempt, { outcome: 'failed', error: outcome.error });
          this.log.error({ id, attempts: attempt, error: outcome.error }, 'notification still refused after every attempt');
          return;
        }
        const backoff = Math.min(MAX_BACKOFF_MS, 5_000 * 2 ** (attempt - 1)) * (0.75 + Math.random() / 2);
        const retryAt = new Date(this.now().getTime() + (outcome.afterMs ?? backoff));
        await insertOnce(this.models.NotificationAttempt, { _id: `${id}#${attempt}!`, notificationId: id, attempt, at: this.now(), outcome: 'retry', error: outcome.error, retryAt });
        // A wait the stop cut short (a turn, a Retry-After) is handed back: counted, and said once
        // by the stop. A refusal (a server error) meanwhile is still one.
        const handedBack = this.stopping.aborted && outcome.waiting === true;
        if (handedBack) this.handedBack++;
        if (outcome.waiting) this.log.debug({ id, attempt, retryAt, reason: outcome.error }, 'notification waiting; tried again at its turn');
        else this.log.warn({ id, attempt, retryAt, error: outcome.error }, 'notification delivery refused; trying again');
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

  /**
   * The notification's last word: delivered or failed, after which attempt. Written together with
   * those of the deliveries that end within the same few milliseconds, in one command (a report's
   * card, line and reply end together; under load, many reports' do), and not waited for: should
   * the write fail or the process die first, the lease asks the platform whether it got there.
   */
  private finish(id: string, attempt: number, outcome: Pick<NotificationAttemptDoc, 'outcome' | 'error' | 'location'>): void {
    this.finalsDue.push({ _id: `${id}#final`, notificationId: id, attempt, at: this.now(), ...outcome });
    if (this.finalsDue.length >= FINALS_PER_WRITE) this.writeFinals();
    else this.finalsTimer ??= setTimeout(() => this.writeFinals(), FINALS_WINDOW_MS);
  }

  private writeFinals(): void {
    clearTimeout(this.finalsTimer);
    this.finalsTimer = undefined;
    const finals = this.finalsDue.splice(0);
    if (finals.length === 0) return;
    const written = this.record(finals);
    this.finalsWriting.add(written);
    this.finalsInWrite += finals.length;
    void written.finally(() => {
      this.finalsWriting.delete(written);
      this.finalsInWrite -= finals.length;
    });
  }

  /** Resolves once every last word finished so far is written. */
  private async finalsWritten(): Promise<void> {
    this.writeFinals();
    await Promise.all([...this.finalsWriting]);
  }

}
