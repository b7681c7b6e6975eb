import type { Logger } from '../logger';
import type { BeginGate } from '../db/pool-pressure';
import { findByIdTogether, findByIdsTogether } from '../db/find-by-ids';
import { insertOnce } from '../db/insert-once';
import { retryWhileBusy } from '../db/retry-while-busy';
import type { Models } from '../models/models';
import type { TimerCursorDoc, TimerDoc } from '../models/timer.model';
import { LATE_AFTER_MS, LateWork } from './late-work';
import { BoundedQueue, type QueueLoad } from './bounded-queue';
import { OneAtATime } from './one-at-a-time';
import { within } from './within';

/**
 * Shards of each lane: the first lane's for timers that keep a promise made to a person, the
 * second's for the kinds behind them (`on`'s `behindOthers`), so that a backlog of those, read and
 * worked in bucket order, never stands before the others: under the soak's load delivery leases
 * were most timers, and SLA timers and new reports' work, in the same buckets, waited behind them
 * for up to 20 minutes.
 */
export const SHARDS_PER_LANE = 4;
export const TIMER_SHARDS = 2 * SHARDS_PER_LANE;
const BUCKET_MS = 5_000;
const BUCKETS_PER_MINUTE = 60_000 / BUCKET_MS;
const MINUTES_PER_HOUR = 60;
/** A bucket is worked through only this long after it ends, so a write begun before its end has landed. */
const SETTLE_MS = 3_000;
/**
 * A timer due further ahead than this cannot fall behind the cursor (that would take clocks a
 * minute apart): its cursor is not read back.
 */
const FAR_AHEAD_MS = 60_000;
/**
 * After this long a tick starts no more timers (a bucket's first round of handlers excepted, so
 * that every tick moves on): the next tick goes on where it stopped, and one slow handler more
 * still ends it well within its lock (jobs/scheduler.ts renews it for about 3 minutes).
 */
const TICK_BUDGET_MS = 10_000;
/** How soon a timer whose handler failed is tried again. */
const RETRY_FAILED_MS = 30_000;
const HANDLER_CONCURRENCY = 8;
/** Handlers run at once (see `on`) at the same time, at most. */
const RUN_AT_ONCE_LIMIT = 64;
/**
 * Timers fired on time whose handlers run at the same time, at most; the others wait their turn
 * here, as timers. Unbounded, the soak's burst of escalations (2,000 falling due within two
 * minutes beside the requests' work) began a thousand handlers at once, each holding its incident
 * and cards while it waited for a database connection (docs/benchmarks.md).
 */
const FIRED_ON_TIME_AT_ONCE = 200;
/**
 * Of those, timers of the kinds behind the others (`on`'s `behindOthers`) at work at once. In the
 * soak, leases held nearly every one of the 200 places, each waiting for a database connection
 * among 50 other operations or for room among the deliveries, and an escalation falling due waited
 * behind them.
 */
const BEHIND_AT_ONCE = 32;
/**
 * Firing on time, timers waiting for their due time or their turn (or running) beyond which a tick
 * reads no more, neither ahead nor settled buckets: the rest wait in the database, in their
 * buckets, for the ticks after. Without it a backlog was held in memory whatever its size: 11,355
 * timers in the soak's burst.
 */
const FIRING_HELD = 2_000;
/**
 * Timers of the first lane (escalations, SLA warnings, new reports' work) that still begin while
 * the database alone holds background work back, up to this many at work. Held back, a queue kept
 * only one task at work, counting the lane behind's: under the soak the database held work back for
 * whole minutes while 32 leases waited for delivery room, and escalations began up to 176 s late
 * (docs/benchmarks.md). While people's requests wait to begin, the lane keeps one at work, lanes
 * counted apart: with 16 then too, the timers took the share of the database the requests needed,
 * 1,950 requests waited to begin and 10,176 were turned away as busy.
 */
export const FIRST_LANE_AT_WORK_WHILE_HELD = 16;
const READ_BATCH = 8;
const MEMO_LIMIT = 50_000;
/** Timers run here are remembered only until their bucket has been worked through (forgotten, one is run again: they bear it). */
const RAN_HERE_LIMIT = 10_000;

export type TimerHandler = (ref: string, dueAt: Date) => Promise<void>;

export interface TickReport {
  buckets: number;
  /** Fired by this tick: found in its settled buckets, or read ahead to fire at their due time. */
  timers: number;
  failed: number;
  /** The handler that took longest in this tick's buckets, for a slow tick's log line. */
  slowest?: { kind: string; ref: string; ms: number };
}

const floorDiv = (a: number, b: number) => Math.floor(a / b);

/**
 * Timers kept so that finding what is due costs lookups by `_id` only, in proportion to what is
 * due and not to what is open: FerretDB's SQLite storage pushes no other filter down
 * (docs/storage.md §2). Time is cut into 5-second buckets; a timer is the document
 * `<shard>:<bucket>:<slot>`, its slot claimed by inserting it (0, 1, 2… with no holes), so a tick
 * reads a bucket's slots in order until one is missing. Minute and hour markers let a tick skip
 * empty stretches. Shards let several processes work at once (one agenda job per shard), in two
 * lanes (SHARDS_PER_LANE).
 */
export class TimerWheel {
  private readonly handlers = new Map<string, TimerHandler>();
  /** Kinds whose handler this process also runs at once when they are set due now (see `on`). */
  private readonly atOnce = new Set<string>();
  /** Kinds that, fired on time, begin only after every other kind waiting (see `on`). */
  private readonly behindOthers = new Set<string>();
  private readonly runningNow = new Set<Promise<void>>();
  private readonly nextSlot = new Map<string, number>();
  private readonly knownMarkers = new Set<string>();
  private readonly inserting = new OneAtATime();
  /** Runs of one timer (kind and reference) of an `atOnce` kind, one after another in this process. */
  private readonly running = new OneAtATime();
  /**
   * Timers (kind, reference, due instant: a timer set again for the same instant is the same
   * timer) this process has run: their copies in a bucket are not run again here. Under load a
   * bucket's copy of a timer run at once waited for that run and then ran the handler a second
   * time, each a dozen database round trips, and ticks outlived their lock (docs/benchmarks.md).
   */
  private readonly ranHere = new Set<string>();
  /**
   * Runs at once still going, and whether each succeeded: a bucket holding one is not passed
   * until it has (should the process die meanwhile, the bucket's copy is the fallback).
   */
  private readonly runningAtOnce = new Map<string, Promise<boolean>>();
  /** Per bucket (`<shard>:<bucket>`) not yet settled, how many of its slots this process has read ahead and set to fire. */
  private readonly readAhead = new Map<string, number>();
  private readonly firingAhead = new Set<NodeJS.Timeout>();
  /**
   * Per bucket read ahead, the marking of what was fired of it (each marking after the one before).
   * While one is pending, the shard's cursor is not saved beyond the bucket before it (see `settle`).
   */
  private readonly firedAhead = new Map<string, Promise<boolean>>();
  /**
   * Buckets read ahead whose timers could not all run (not even their retry set), though this
   * process's settled pass had passed them: the next tick of their shard runs them again.
   */
  private readonly failedAhead = new Set<string>();
  /** Per shard, the last bucket this process's settled pass worked through (the saved cursor may be behind it). */
  private readonly settledTo = new Map<number, number>();
  /** Timers fired on time, begun a bounded number at a time and none while the database has many operations waiting. */
  private readonly firing: BoundedQueue;
  private firingStopped = false;
  /** Per lane, timers read to fire on time and not yet run (waiting for their time or their turn, or running). */
  private readonly firingInLane: [number, number] = [0, 0];
  /** Timers begun late, told once a minute. */
  private readonly late = new LateWork();

  constructor(
    private readonly models: Models,
    private readonly now: () => Date,
    private readonly log: Logger,
    /**
     * `fireAheadMs`: each tick also reads the buckets due within this long and fires their timers
     * at their due time in this process, instead of when their bucket has settled (up to 13 s
     * later: the bucket, its settling, the next tick). The settled pass still reads them, from
     * where this process's reading ahead stopped, so a timer written late, or read ahead by a
     * process that died, still fires; a handler may then run twice (they are idempotent).
     * `beginGate`: while it holds back, timers fired on time wait to begin (`src/db/pool-pressure.ts`).
     * `firingHeld`: see FIRING_HELD, and `firstLaneAtWorkWhileHeld`: see FIRST_LANE_AT_WORK_WHILE_HELD (tests set fewer).
     */
    private readonly options: { fireAheadMs?: number; tickBudgetMs?: number; beginGate?: BeginGate; firingHeld?: number; firstLaneAtWorkWhileHeld?: number } = {},
  ) {
    this.firing = new BoundedQueue(FIRED_ON_TIME_AT_ONCE, Number.POSITIVE_INFINITY, {
      ...(options.beginGate ? { gate: options.beginGate } : {}),
      behindAtWork: BEHIND_AT_ONCE,
      frontAtWorkWhileHeld: options.firstLaneAtWorkWhileHeld ?? FIRST_LANE_AT_WORK_WHILE_HELD,
    });
  }

  private get tickBudgetMs(): number {
    return this.options.tickBudgetMs ?? TICK_BUDGET_MS;
  }

  /**
   * What to do when a timer of `kind` falls due. `atOnce`: a timer set due now also runs at once in
   * this process, rather than at the wheel's next turn (seconds later); the timer stays the
   * fallback should the process die, so the handler must be idempotent (it is run twice).
   * `behindOthers`: fired on time, those of this kind begin after the others waiting (one after
   * each 8 of them in a row), and while the database holds timers back, only once nothing is at
   * work. For timers that keep no promise made to a person
   * (a delivery's lease, which mostly finds it done): under the soak's load they were most of what
   * waited, and escalations and new reports' work waited behind them for minutes.
   */
  on(kind: string, handler: TimerHandler, options: { atOnce?: boolean; behindOthers?: boolean } = {}): void {
    this.handlers.set(kind, handler);
    for (const [set, wanted] of [[this.atOnce, options.atOnce], [this.behindOthers, options.behindOthers]] as const) {
      if (wanted) set.add(kind);
      else set.delete(kind);
    }
  }

  /** Resolves once no timer's handler is running here (started at once by `schedule`, or fired on time). */
  async idle(): Promise<void> {
    while (this.runningNow.size > 0) await Promise.allSettled([...this.runningNow]);
  }

  /** Starts every shard's cursor at the present (a no-op when they exist). */
  async ensureCursors(): Promise<void> {
    const bucket = floorDiv(this.now().getTime(), BUCKET_MS) - 1;
    for (let shard = 0; shard < TIMER_SHARDS; shard++) {
      await insertOnce(this.models.TimerCursor, { _id: `cursor:${shard}`, bucket, at: this.now() });
    }
  }

  /** Wakes `kind` for `ref` at `dueAt` (or as soon as possible when that has passed). */
  async schedule(kind: string, ref: string, dueAt: Date): Promise<void> {
    await this.set(kind, ref, dueAt);
    if (this.atOnce.has(kind) && dueAt.getTime() <= this.now().getTime()) this.runAtOnce(kind, ref, dueAt);
  }

  private runAtOnce(kind: string, ref: string, dueAt: Date): void {
    const handler = this.handlers.get(kind);
    // Beyond the bound the wheel's own turn does it: nothing waits here without limit. Nor once
    // stopping: the database closes after the runs begun, and the stored timer runs from its bucket.
    if (!handler || this.firingStopped || this.runningAtOnce.size >= RUN_AT_ONCE_LIMIT) return;
    const key = timerKey(kind, ref, dueAt);
    if (this.ranHere.has(key) || this.runningAtOnce.has(key)) return;
    const ran = this.runHandler(kind, ref, dueAt, handler).then(
      () => {
        this.remember(this.ranHere, key);
        return true;
      },
      (error: unknown) => {
        this.log.warn({ err: error, kind, ref }, 'a timer run at once failed; the wheel runs it again');
        return false;
      },
    );
    this.runningAtOnce.set(key, ran);
    const running: Promise<void> = ran.then(() => {
      this.runningAtOnce.delete(key);
      this.runningNow.delete(running);
    });
    this.runningNow.add(running);
  }

  private async set(kind: string, ref: string, dueAt: Date): Promise<void> {
    const shard = this.shardFor(kind, ref);
    let bucket = Math.max(floorDiv(dueAt.getTime(), BUCKET_MS), floorDiv(this.now().getTime(), BUCKET_MS));
    // A bucket is read once. Should this one have been read already (this process's clock behind
    // the reader's by more than the settle time, or a write delayed as long), the timer goes again
    // into the bucket after the cursor, until it lands where the reader has not been.
    for (let tries = 0; tries < 10; tries++) {
      await this.insertTimer(shard, bucket, kind, ref, dueAt);
      if (bucket * BUCKET_MS - this.now().getTime() > FAR_AHEAD_MS) return;
      const cursor = await this.models.TimerCursor.findById(`cursor:${shard}`).lean();
      // Read already: the cursor's bucket may be held behind timers still to run, not what was read.
      const read = cursor ? Math.max(cursor.bucket, cursor.readTo ?? cursor.bucket) : undefined;
      if (read === undefined || read < bucket) return;
      bucket = read + 1;
    }
    throw new Error(`timer ${kind} ${ref} could not be set ahead of the wheel's cursor`);
  }

  private async insertTimer(shard: number, bucket: number, kind: string, ref: string, dueAt: Date): Promise<void> {
    const key = `${shard}:${bucket}`;
    // A bucket's markers and slots are taken one at a time here: timers set at once (a storm's
    // leases, all two minutes out) would otherwise each insert the markers, and try every slot the
    // others took before finding a free one.
    await this.inserting.run(key, async () => {
      await this.mark(shard, bucket);
      await this.insertIntoBucket(key, bucket, kind, ref, dueAt);
    });
  }

  private async insertIntoBucket(key: string, bucket: number, kind: string, ref: string, dueAt: Date): Promise<void> {
    let slot = this.nextSlot.get(key) ?? 0;
    const bucketAt = new Date(bucket * BUCKET_MS);
    while (!(await insertOnce(this.models.Timer, { _id: `${key}:${slot}`, kind, ref, dueAt, bucketAt }))) slot += 1;
    this.remember(this.nextSlot, key, slot + 1);
  }

  /**
   * Many timers at once (an import, a backfill). Each bucket's timers go one after another and
   * buckets in parallel. (Batched inserts were tried: after a duplicate slot, what FerretDB 1.24
   * reports as inserted does not match what it inserted, so slots could not be kept hole-free.)
   */
  async scheduleMany(entries: readonly { kind: string; ref: string; dueAt: Date }[], concurrency = 8): Promise<void> {
    const now = floorDiv(this.now().getTime(), BUCKET_MS);
    const groups = new Map<string, { kind: string; ref: string; dueAt: Date }[]>();
    for (const entry of entries) {
      const key = `${this.shardFor(entry.kind, entry.ref)}:${Math.max(floorDiv(entry.dueAt.getTime(), BUCKET_MS), now)}`;
      const group = groups.get(key) ?? [];
      group.push(entry);
      groups.set(key, group);
    }
    const queue = [...groups.values()];
    const worker = async () => {
      for (let group = queue.shift(); group; group = queue.shift()) {
        for (const entry of group) await this.schedule(entry.kind, entry.ref, entry.dueAt);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }

  /** Whether scheduleOnce set this timer (it is set, or has fired). */
  async isScheduledOnce(kind: string, ref: string, dueAt: Date): Promise<boolean> {
    return (await findByIdTogether(this.models.TimerIndex, `once:${kind}:${ref}:${dueAt.getTime()}:set`)) !== null;
  }

  /**
   * Like `schedule`, but a second call for the same kind, reference and instant does nothing once
   * the first has set its timer. (Claimed, set, then marked set: a caller finding the claim but
   * not the mark sets the timer too, so a crash between claim and timer loses nothing; at worst
   * two timers wake the same idempotent job.)
   */
  async scheduleOnce(kind: string, ref: string, dueAt: Date): Promise<void> {
    const key = `once:${kind}:${ref}:${dueAt.getTime()}`;
    const claimed = await insertOnce(this.models.TimerIndex, { _id: key, until: dueAt });
    if (!claimed && (await findByIdTogether(this.models.TimerIndex, `${key}:set`))) return;
    await this.schedule(kind, ref, dueAt);
    await insertOnce(this.models.TimerIndex, { _id: `${key}:set`, until: dueAt });
  }

  /** Works through the settled buckets of one shard since its cursor. */
  async tick(shard: number): Promise<TickReport> {
    this.tellLate();
    const report: TickReport = { buckets: 0, timers: 0, failed: 0 };
    const cursor = await this.models.TimerCursor.findById(`cursor:${shard}`).lean();
    const last = floorDiv(this.now().getTime() - SETTLE_MS, BUCKET_MS) - 1;
    const saved = { bucket: cursor?.bucket ?? last - 1, readTo: cursor?.readTo ?? cursor?.bucket ?? last - 1 };
    // What this process read of the shard, unless a process since read less of it (so a timer
    // written late may have landed within what this one read): then from there again.
    const readHere = Math.min(this.settledTo.get(shard) ?? Number.NEGATIVE_INFINITY, saved.readTo);
    const done = Math.max(saved.bucket, readHere);
    let bucket = done + 1;
    const started = Date.now();
    let worked = false;
    if (!(await this.runFailedAhead(shard, report, started))) return report;
    while (bucket <= last) {
      // Behind (a burst of timers, a busy database): the next tick goes on from the cursor, so no
      // tick holds its shard's lock for longer than its renewals allow.
      if (worked && Date.now() - started > this.tickBudgetMs) return report;
      const hour = floorDiv(bucket, BUCKETS_PER_MINUTE * MINUTES_PER_HOUR);
      if (!(await this.hasMarker(`hour:${shard}:${hour}`))) {
        bucket = (hour + 1) * BUCKETS_PER_MINUTE * MINUTES_PER_HOUR;
        continue;
      }
      const minute = floorDiv(bucket, BUCKETS_PER_MINUTE);
      if (!(await this.hasMarker(`minute:${shard}:${minute}`))) {
        bucket = (minute + 1) * BUCKETS_PER_MINUTE;
        continue;
      }
      worked = true;
      if (this.firingHeld(shard)) return report;
      // Out of time within the bucket, or a timer of it still running at once: the next tick goes on from there.
      if (!(await this.runBucket(shard, bucket, report, started))) return report;
      report.buckets += 1;
      await this.settle(shard, bucket, saved);
      bucket += 1;
    }
    if (done < last) await this.settle(shard, last, saved);
    if (this.options.fireAheadMs) report.timers += await this.readAheadOf(shard, last + 1, floorDiv(this.now().getTime() + this.options.fireAheadMs, BUCKET_MS));
    return report;
  }

  /** The shard of a timer: its lane's (see SHARDS_PER_LANE), chosen by its reference. */
  private shardFor(kind: string, ref: string): number {
    return (this.behindOthers.has(kind) ? SHARDS_PER_LANE : 0) + shardOf(ref);
  }

  /**
   * Firing on time, whether so many timers of the shard's lane wait here (for their due time or
   * their turn) that its tick reads no more (`FIRING_HELD`).
   */
  private firingHeld(shard: number): boolean {
    return Boolean(this.options.fireAheadMs) && this.firingInLane[laneOf(shard)] >= (this.options.firingHeld ?? FIRING_HELD);
  }

  /** Reads buckets `from`…`until` (not settled yet) for timers not read before, each set to fire at its due time; how many. */
  private async readAheadOf(shard: number, from: number, until: number): Promise<number> {
    let found = 0;
    for (let bucket = from; bucket <= until && !this.firingHeld(shard); bucket++) {
      if (!(await this.hasMarker(`minute:${shard}:${floorDiv(bucket, BUCKETS_PER_MINUTE)}`))) continue;
      const key = `${shard}:${bucket}`;
      const read = this.readAhead.get(key) ?? 0;
      const timers = await this.readSlots(shard, bucket, read);
      if (timers.length === 0) continue;
      if (this.readAhead.size >= MEMO_LIMIT) this.readAhead.clear(); // the settled pass then reads them all
      this.readAhead.set(key, read + timers.length);
      this.fireBucketAhead(shard, bucket, read, timers);
      found += timers.length;
    }
    return found;
  }

  /**
   * Sets a bucket's timers, slots `read`… onwards, to fire at their due time (at once, when it has
   * passed), through the queue of timers fired on time.
   */
  private fireBucketAhead(shard: number, bucket: number, read: number, timers: readonly TimerDoc[]): void {
    const key = `${shard}:${bucket}`;
    // Once these and those read before them have run, the bucket's first n are marked fired:
    // another process settling the bucket then leaves them (a process that dies first never marks them).
    // The batch before ran even should its marking have failed (`forget`): only a run that failed holds the cursor.
    const before = (this.firedAhead.get(key) ?? Promise.resolve(true)).catch(() => true);
    const runs = timers.map((timer) => (this.ranHere.has(timerKey(timer.kind, timer.ref, new Date(timer.dueAt))) ? Promise.resolve(true) : this.fireAt(shard, timer)));
    const marked = Promise.all([before, ...runs]).then(async (ran) => {
      if (!ran.every(Boolean)) {
        // The settled pass here reads the whole bucket again, and runs it (the next tick, if it has passed it).
        this.readAhead.delete(key);
        if (bucket <= (this.settledTo.get(shard) ?? Number.NEGATIVE_INFINITY)) this.failedAhead.add(key);
        return false;
      }
      await insertOnce(this.models.TimerIndex, { _id: `fired:${key}:${read + timers.length}`, until: new Date((bucket + 1) * BUCKET_MS) });
      return true;
    });
    this.firedAhead.set(key, marked);
    // Run, whether or not the marking was written (it only spares another process a second run).
    const forget = () => this.firedAhead.get(key) === marked && this.firedAhead.delete(key);
    void marked.then(forget, (error: unknown) => {
      forget();
      this.log.warn({ err: error, bucket: key }, 'could not mark timers fired ahead: whoever settles the bucket fires them again');
    });
  }

  /**
   * Fires the timer at its due time, or as soon after as its turn comes (`firing`); resolves once
   * its handler has run (a handler's failure is retried by `fire`, so it counts as run) to whether
   * it did: false when even its retry could not be set. Never, if stopped first.
   */
  private fireAt(shard: number, timer: TimerDoc): Promise<boolean> {
    const lane = laneOf(shard);
    this.firingInLane[lane] += 1;
    return new Promise<boolean>((resolve) => {
      const begin = (): Promise<void> => {
        if (this.firingStopped) return Promise.resolve();
        const running: Promise<void> = this.fire(timer).then(
          () => resolve(true),
          (error: unknown) => {
            this.log.error({ err: error, kind: timer.kind, ref: timer.ref }, 'a timer fired on time failed and could not be set again: its bucket\'s settling fires it');
            resolve(false);
          },
        );
        void running.finally(() => {
          this.runningNow.delete(running);
          this.firingInLane[lane] -= 1;
        });
        this.runningNow.add(running);
        return running;
      };
      const handle = setTimeout(
        () => {
          this.firingAhead.delete(handle);
          this.firing.offer(begin, { behind: this.behindOthers.has(timer.kind) });
        },
        Math.max(0, new Date(timer.dueAt).getTime() - this.now().getTime()),
      );
      handle.unref();
      this.firingAhead.add(handle);
    });
  }

  /**
   * Timers fired on time held here now, per lane (waiting for their due time or their turn, or
   * running), and the queue they begin through.
   */
  load(): { firstLane: number; behindLane: number; queue: QueueLoad } {
    return { firstLane: this.firingInLane[0], behindLane: this.firingInLane[1], queue: this.firing.load() };
  }

  /**
   * How long ago each lane's oldest bucket not yet worked through (a timer in it still to run, here
   * or anywhere) began, from the shards' cursors: 3 to 10 s when the wheel keeps up (the settle
   * time, the bucket, a look). A timer read ahead but not begun holds its shard's cursor before its
   * bucket, so this counts the timers a count of those begun late leaves out. NaN: no cursor yet.
   */
  async behindMs(): Promise<{ firstLane: number; behindLane: number }> {
    const ids = Array.from({ length: TIMER_SHARDS }, (_, shard) => `cursor:${shard}`);
    const cursors = await findByIdsTogether<TimerCursorDoc>(this.models.TimerCursor, ids);
    const now = this.now().getTime();
    const behind: [number, number] = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
    cursors.forEach((cursor, shard) => {
      const lane = laneOf(shard);
      if (cursor) behind[lane] = Math.max(behind[lane], now - (cursor.bucket + 1) * BUCKET_MS);
    });
    const said = (ms: number) => (ms === Number.NEGATIVE_INFINITY ? Number.NaN : ms);
    return { firstLane: said(behind[0]), behindLane: said(behind[1]) };
  }

  /**
   * Stops firing what was read ahead (a stopping process): the settled pass, here or in another
   * process, fires it. Those running are given `graceMs` to finish, since they write to the
   * database the stop closes next; resolves to how many still run (their bucket's settling runs them again).
   */
  async stopFiringAhead(graceMs = 0): Promise<{ running: number }> {
    this.firingStopped = true;
    for (const handle of this.firingAhead) clearTimeout(handle);
    this.firingAhead.clear();
    await within(graceMs, this.idle());
    return { running: this.runningNow.size };
  }

  /**
   * Removes timers and markers of buckets long done. Fired timers are not deleted one by one: a
   * FerretDB/SQLite without our _id index reads the whole collection for each delete, so one
   * sweep an hour does it in one pass (docs/storage.md §4). Until then a fired timer is never
   * read again: cursors only move on.
   */
  async sweep(olderThanMs = 86_400_000): Promise<number> {
    const before = new Date(this.now().getTime() - olderThanMs);
    const timers = await retryWhileBusy(() => this.models.Timer.deleteMany({ bucketAt: { $lt: before } }));
    const markers = await retryWhileBusy(() => this.models.TimerIndex.deleteMany({ until: { $lt: before } }));
    return timers.deletedCount + markers.deletedCount;
  }

  /** Ticks every shard (a single process, and tests). */
  async tickAll(): Promise<TickReport> {
    const total: TickReport = { buckets: 0, timers: 0, failed: 0 };
    for (let shard = 0; shard < TIMER_SHARDS; shard++) {
      const r = await this.tick(shard);
      total.buckets += r.buckets;
      total.timers += r.timers;
      total.failed += r.failed;
    }
    return total;
  }

  /**
   * Runs a settled bucket's timers; false when the tick's time ran out before all had run, or one
   * is still running at once here: the next pass reads the bucket from the first of those.
   */
  private async runBucket(shard: number, bucket: number, report: TickReport, tickStarted: number): Promise<boolean> {
    // What this process read ahead of the bucket fires (or fired) at its due time.
    const key = `${shard}:${bucket}`;
    const from = this.readAhead.get(key) ?? 0;
    const timers = await this.readSlots(shard, bucket, from);
    // All of them read ahead and fired by another process (the shard's ticks move between processes).
    if (from === 0 && timers.length > 0 && this.options.fireAheadMs && (await this.models.TimerIndex.findById(`fired:${key}:${timers.length}`).lean())) return true;
    if (this.options.fireAheadMs) {
      // Firing on time, what the pass finds joins the timers fired on time: begun as they are (none
      // while requests wait; leases behind), and run once more from here should this process stop
      // first, since the cursor stays before the bucket until they have run (`settle`).
      if (timers.length > 0) this.fireBucketAhead(shard, bucket, from, timers);
      report.timers += timers.length;
      this.readAhead.delete(key);
      return true;
    }
    let next = 0;
    let begun = 0;
    /** Every timer before this one has run (or failed and set its retry). */
    let resume = timers.length;
    const worker = async () => {
      while (next < timers.length) {
        if (begun >= HANDLER_CONCURRENCY && Date.now() - tickStarted > this.tickBudgetMs) {
          resume = Math.min(resume, next);
          return;
        }
        const index = next++;
        const timer = timers[index] as TimerDoc;
        const id = timerKey(timer.kind, timer.ref, new Date(timer.dueAt));
        if (this.ranHere.has(id)) continue;
        if (this.runningAtOnce.has(id)) {
          resume = Math.min(resume, index);
          continue;
        }
        begun += 1;
        report.timers += 1;
        const started = Date.now();
        if (!(await this.fire(timer))) report.failed += 1;
        const ms = Date.now() - started;
        if (ms > (report.slowest?.ms ?? -1)) report.slowest = { kind: timer.kind, ref: timer.ref.slice(0, 120), ms };
      }
    };
    await Promise.all(Array.from({ length: Math.min(HANDLER_CONCURRENCY, timers.length) }, worker));
    if (resume < timers.length) {
      this.readAhead.set(key, from + resume);
      return false;
    }
    this.readAhead.delete(key);
    return true;
  }

  /** Runs again the buckets of the shard in `failedAhead`; false when the tick's time ran out first. */
  private async runFailedAhead(shard: number, report: TickReport, tickStarted: number): Promise<boolean> {
    for (const key of [...this.failedAhead]) {
      const [keyShard, bucket] = bucketOfKey(key);
      if (keyShard !== shard) continue;
      if (!(await this.runBucket(shard, bucket, report, tickStarted))) return false;
      this.failedAhead.delete(key);
    }
    return true;
  }

  /**
   * The settled pass has worked through `bucket`. The shard's cursor is saved up to it, or only up
   * to the bucket before the first one read ahead whose timers have not all run: those wait here to
   * begin (a busy database holds them back), and should this process stop or die first, whichever
   * process ticks the shard next must read that bucket again and run them.
   */
  private async settle(shard: number, bucket: number, saved: { bucket: number; readTo: number }): Promise<void> {
    this.settledTo.set(shard, bucket);
    let upTo = bucket;
    for (const key of [...this.firedAhead.keys(), ...this.failedAhead]) {
      const [keyShard, pending] = bucketOfKey(key);
      if (keyShard === shard && pending <= upTo) upTo = pending - 1;
    }
    upTo = Math.max(upTo, saved.bucket);
    if (upTo === saved.bucket && bucket === saved.readTo) return;
    await this.saveCursor(shard, upTo, bucket);
    saved.bucket = upTo;
    saved.readTo = bucket;
  }

  /** A bucket's timers from slot `from` up to the first free slot: the first alone (most buckets are empty), then READ_BATCH at a time. */
  private async readSlots(shard: number, bucket: number, from: number): Promise<TimerDoc[]> {
    const timers: TimerDoc[] = [];
    for (let first = from, size = 1; timers.length === first - from; first += size, size = READ_BATCH) {
      const batch = await findByIdsTogether<TimerDoc>(
        this.models.Timer,
        Array.from({ length: size }, (_, i) => `${shard}:${bucket}:${first + i}`),
      );
      const missing = batch.findIndex((t) => !t);
      timers.push(...((missing < 0 ? batch : batch.slice(0, missing)) as TimerDoc[]));
    }
    return timers;
  }

  /**
   * Runs a timer's handler, unless this process ran it already (or, once it ends, runs it at once
   * successfully); a failure (the database away, a bug) is logged and tried again later.
   */
  private async fire(timer: TimerDoc): Promise<boolean> {
    const handler = this.handlers.get(timer.kind);
    if (!handler) {
      this.log.error({ kind: timer.kind, ref: timer.ref }, 'no handler for a timer; it is dropped');
      return false;
    }
    const dueAt = new Date(timer.dueAt);
    const key = timerKey(timer.kind, timer.ref, dueAt);
    if (this.ranHere.has(key)) return true;
    // Fired on time while it runs at once: done once that run is (run here should it fail).
    const atOnce = this.runningAtOnce.get(key);
    if (atOnce && (await atOnce)) return true;
    this.late.record(timer.kind, this.now().getTime() - dueAt.getTime());
    try {
      await this.runHandler(timer.kind, timer.ref, dueAt, handler);
      this.remember(this.ranHere, key);
      return true;
    } catch (error) {
      this.log.error({ err: error, kind: timer.kind, ref: timer.ref }, 'timer handler failed; trying again in 30 s');
      await this.schedule(timer.kind, timer.ref, new Date(this.now().getTime() + RETRY_FAILED_MS));
      return false;
    }
  }

  /** Says which timers began late since it last said so (at most once a minute, from the ticks). */
  private tellLate(): void {
    const late = this.late.due(this.now().getTime());
    if (late) this.log.warn({ late, lateAfterMs: LATE_AFTER_MS }, 'timers began late: the database or this process is behind');
  }

  /**
   * A timer of an `atOnce` kind runs at once and again from its bucket, and a bucket may hold two
   * copies of it (two processes set it): its handler is idempotent when its runs come one after
   * another (a step checks whether it was done, then marks it done), not when they overlap, so
   * they wait for each other here.
   */
  private runHandler(kind: string, ref: string, dueAt: Date, handler: TimerHandler): Promise<void> {
    if (!this.atOnce.has(kind)) return handler(ref, dueAt);
    return this.running.run(`${kind} ${ref}`, () => handler(ref, dueAt));
  }

  private async mark(shard: number, bucket: number): Promise<void> {
    const minute = floorDiv(bucket, BUCKETS_PER_MINUTE);
    const hour = floorDiv(minute, MINUTES_PER_HOUR);
    const markers: [string, number][] = [
      [`hour:${shard}:${hour}`, (hour + 1) * MINUTES_PER_HOUR * 60_000],
      [`minute:${shard}:${minute}`, (minute + 1) * 60_000],
    ];
    for (const [id, until] of markers) {
      if (this.knownMarkers.has(id)) continue;
      await insertOnce(this.models.TimerIndex, { _id: id, until: new Date(until) });
      this.remember(this.knownMarkers, id);
    }
  }

  private async hasMarker(id: string): Promise<boolean> {
    if (this.knownMarkers.has(id)) return true;
    const found = (await findByIdTogether(this.models.TimerIndex, id)) !== null;
    if (found) this.remember(this.knownMarkers, id);
    return found;
  }

  private async saveCursor(shard: number, bucket: number, readTo: number): Promise<void> {
    await retryWhileBusy(() => this.models.TimerCursor.updateOne({ _id: `cursor:${shard}` }, { $set: { bucket, readTo, at: this.now() } }, { upsert: true }));
  }

  private remember(memo: Map<string, number> | Set<string>, key: string, value?: number): void {
    if (memo.size >= (memo === this.ranHere ? RAN_HERE_LIMIT : MEMO_LIMIT)) memo.clear();
    if (memo instanceof Map) memo.set(key, value as number);
    else memo.add(key);
  }
}

/** One timer, whichever copy of it: two processes, or a retry of the instant's write, may set it twice. */
const timerKey = (kind: string, ref: string, dueAt: Date): string => `${kind} ${dueAt.getTime()} ${ref}`;

/** A bucket's key `<shard>:<bucket>`, read back. */
const bucketOfKey = (key: string): [number, number] => key.split(':').map(Number) as [number, number];

const laneOf = (shard: number): 0 | 1 => (shard < SHARDS_PER_LANE ? 0 : 1);

/** FNV-1a of the reference, so one record's timers always land in the same shard of a lane. */
export function shardOf(ref: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < ref.length; i++) {
    hash ^= ref.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % SHARDS_PER_LANE;
}
