import { AsyncLocalStorage } from 'node:async_hooks';
import type { BeginGate } from '../db/pool-pressure';

/**
 * Under a gate, the tasks a queue begins in one turn of the event loop. The gate counts operations
 * waiting for a connection from the driver's events, which come only once begun tasks have asked
 * for one: without a share per turn, a queue would begin its whole concurrency (200 timers fired
 * on time, 100 deliveries) before the gate could hold it back.
 */
export const BEGUN_PER_TURN = 16;

/**
 * Tasks offered `behind` wait for those offered without it, but not for ever: after this many of
 * those begun in a row, one of them begins. Behind are delivery leases, which mostly find their
 * message delivered, but some carry a message not yet sent (the delivery queue was full). While a
 * gate holds the queue back, one begins only once nothing is at work: leases wait out the hold.
 */
export const FRONT_BEFORE_BEHIND = 8;

/**
 * A bounded queue of tasks run at most `concurrency` at a time. Three uses:
 * - the notifier's deliveries (`src/services/notifier.ts`), run beside the timer wheel rather than
 *   inside its tick: a slow platform call holds a place, never a whole shard, and a delivery
 *   waiting for its channel's turn gives its place to another meanwhile (`waitAside`). When
 *   `limit` deliveries wait to begin, one more is refused (`offer` answers false) and stays with
 *   its lease timer in the database, to be tried when that falls due: memory does not grow with a
 *   backlog the platforms' limits hold up. What waits here is also leased in the database, so a
 *   process that dies with work queued loses none of it;
 * - the Slack requests handed over to the work thread (`src/slack-work-thread.ts`), worked a few at a
 *   time so that a burst waits as request bodies rather than as work begun; there the answering
 *   thread's overload gate bounds how many wait, so `limit` is left unbounded;
 * - the timers the wheel fires on time (`src/services/timer-wheel.ts`): a burst falling due waits
 *   as timers, read ahead and fired from the database again by the settled pass should the
 *   process die, rather than as handlers begun.
 * All hold back while their database has many operations waiting for a connection (`gate`,
 * `src/db/pool-pressure.ts`): what would begin then waits here, as a closure, not as work begun.
 */
export class BoundedQueue {
  private readonly waiting: (() => Promise<void>)[] = [];
  /** Tasks offered `behind`: begun when none of `waiting` is left to begin, or after FRONT_BEFORE_BEHIND of them. */
  private readonly waitingBehind: (() => Promise<void>)[] = [];
  /** Of the tasks begun and not ended, those offered `behind` (asleep or not). */
  private behindRunning = 0;
  /** Callers waiting for room (`roomWithin`), told in order, one per place to wait beyond what each leaves free. */
  private readonly roomWaiters: { tell: () => void; leaveFree: number }[] = [];
  private frontInARow = 0;
  private readonly idleWaiters: (() => void)[] = [];
  private running = 0;
  /** Tasks begun that wait for a timer (`waitAside`), their places given to others. */
  private asleep = 0;
  /** Held back by the gate, and asked to be told of its relief. */
  private awaitingRelief = false;
  /** Tasks begun in this turn of the event loop (counted under a gate only). */
  private begunThisTurn = 0;

  private readonly asleepLimit: number;
  private readonly gate: BeginGate | undefined;
  private readonly behindAtWork: number;
  private readonly frontAtWorkWhileHeld: number;

  constructor(
    // A turn further off than 30 s is reserved and waited for in the database, so a busy channel or
    // method has about 30 deliveries waiting aside here, and a page to a quiet channel never queues
    // behind them. Each holds its messages' views: under the soak's overload 3,000 held about 50 MB.
    private readonly concurrency = 300,
    private readonly limit = 600,
    options: BoundedQueueOptions = {},
  ) {
    this.asleepLimit = options.asleepLimit ?? 0;
    this.gate = options.gate;
    this.behindAtWork = options.behindAtWork ?? Number.POSITIVE_INFINITY;
    this.frontAtWorkWhileHeld = options.frontAtWorkWhileHeld ?? 1;
  }

  /**
   * Whether the gate holds back the next task of its lane (`behind` or not); if it does, the queue
   * moves again at its relief. Held back, the queue still moves: a task offered behind begins while
   * nothing is at work, one offered without it while fewer than `frontAtWorkWhileHeld` of its lane
   * are (one while people's requests wait to begin), whatever is behind (a lease waiting for
   * delivery room holds its place for up to 20 s).
   */
  private heldBack(behind: boolean): boolean {
    if (!this.gate?.holdBack) return false;
    // Tasks asleep (waiting aside for a channel's turn) do not count: with only those, nothing is
    // at work, and a reply that waits for no turn must not wait behind them for the gate. (Tasks
    // behind are counted asleep or not: no queue has tasks behind that wait aside.)
    const frontAtWork = this.gate.requestsWaiting ? 1 : this.frontAtWorkWhileHeld;
    if (behind ? this.running === 0 : this.running - this.behindRunning < frontAtWork) return false;
    if (!this.awaitingRelief) {
      this.awaitingRelief = true;
      this.gate.whenRelieved(() => {
        this.awaitingRelief = false;
        this.next();
      });
    }
    return true;
  }

  /** Under a gate: whether this turn has begun its share; the queue then moves again at the next turn. */
  private turnSpent(): boolean {
    if (!this.gate) return false;
    if (this.begunThisTurn === 0) {
      setImmediate(() => {
        this.begunThisTurn = 0;
        this.next();
      });
    }
    if (this.begunThisTurn >= BEGUN_PER_TURN) return true;
    this.begunThisTurn += 1;
    return false;
  }

  get size(): number {
    return this.unbegun + this.running + this.asleep;
  }

  private get unbegun(): number {
    return this.waiting.length + this.waitingBehind.length;
  }

  /** What it holds now: tasks waiting to begin, at work, and waiting aside for a turn (the process's load line). */
  load(): QueueLoad {
    return { waiting: this.unbegun, atWork: this.running, aside: this.asleep };
  }

  /** Whether one more would be refused. */
  get full(): boolean {
    return this.unbegun >= this.limit;
  }

  /**
   * Queues the task unless the queue is full; false when it is (the task is not run). `behind`: it
   * begins once no task offered without it waits, or its share comes (FRONT_BEFORE_BEHIND): the
   * timers no person waits on, behind those that keep a promise made to one.
   */
  offer(task: () => Promise<void>, options: { behind?: boolean } = {}): boolean {
    if (this.full) return false;
    (options.behind ? this.waitingBehind : this.waiting).push(task);
    this.next();
    return true;
  }

  /** Resolves once nothing waits or runs (tests, and a stopping process within its grace). */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Resolves to true once one more would be taken with `leaveFree` places to wait still free for
   * others (at once if so now), or to false after `ms` or when `stop` aborts: a caller that would
   * otherwise put its task off waits for room instead, rather than writing itself down to come
   * back, and leaves the last places to tasks offered without waiting (new work before a backlog).
   */
  roomWithin(ms: number, stop?: AbortSignal, leaveFree = 0): Promise<boolean> {
    if (this.roomWaiters.length === 0 && this.limit - this.unbegun > leaveFree) return Promise.resolve(true);
    if (stop?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const settle = (room: boolean) => {
        clearTimeout(timer);
        stop?.removeEventListener('abort', aborted);
        const at = this.roomWaiters.indexOf(waiter);
        if (at >= 0) this.roomWaiters.splice(at, 1);
        resolve(room);
      };
      const waiter = { tell: () => settle(true), leaveFree };
      const aborted = () => settle(false);
      const timer = setTimeout(() => settle(false), ms);
      stop?.addEventListener('abort', aborted, { once: true });
      this.roomWaiters.push(waiter);
    });
  }

  private next(): void {
    this.begin();
    this.gate?.waitingToBegin?.(this.unbegun);
    // One waiter told per place free to wait beyond what it leaves free: each then offers its task.
    for (let room = this.limit - this.unbegun; this.roomWaiters.length > 0 && room > (this.roomWaiters[0]?.leaveFree ?? 0); room--) this.roomWaiters.shift()?.tell();
  }

  /** Whether some task may begin now: one offered without `behind`, or one behind within its bound. */
  private get beginnable(): boolean {
    return this.waiting.length > 0 || (this.waitingBehind.length > 0 && this.behindRunning < this.behindAtWork);
  }

  private begin(): void {
    for (let behind = this.nextIsBehind(); this.running < this.concurrency && this.beginnable; behind = this.nextIsBehind()) {
      if (this.heldBack(behind)) {
        // The lane behind is held: one offered without it may still begin.
        if (!behind || this.waiting.length === 0 || this.heldBack(false)) return;
        behind = false;
      }
      if (this.turnSpent()) return;
      const task = (behind ? this.waitingBehind.shift() : this.waiting.shift()) as () => Promise<void>;
      this.frontInARow = behind ? 0 : this.frontInARow + 1;
      this.running += 1;
      if (behind) this.behindRunning += 1;
      const place: TaskPlace = { queue: this, asides: 0, ended: false };
      // Tasks handle their own failures; a throw here is a bug, and must not stop the queue.
      void runningIn
        .run(place, task)
        .catch(() => undefined)
        .finally(() => {
          place.ended = true;
          if (behind) this.behindRunning -= 1;
          // Ended while a wait it did not await was aside: counted there.
          if (place.asides > 0) this.asleep -= 1;
          else this.running -= 1;
          this.next();
          if (this.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
        });
    }
  }

  /** Whether the next task to begin is one offered behind: when none other waits, or its share has come. */
  private nextIsBehind(): boolean {
    const behindMayBegin = this.waitingBehind.length > 0 && this.behindRunning < this.behindAtWork;
    return behindMayBegin && (this.waiting.length === 0 || this.frontInARow >= FRONT_BEFORE_BEHIND);
  }

  /**
   * Waits outside the count of tasks running (see `waitAside`), back in it once `wait` settles: a
   * task with several waits at once (deliveries side by side) gives its one place away once, and
   * takes it back when the last ends.
   */
  async aside<T>(place: TaskPlace, wait: Promise<T>): Promise<T> {
    if (place.ended) return wait;
    if (place.asides === 0) {
      if (this.asleep >= this.asleepLimit) return wait;
      this.asleep += 1;
      this.running -= 1;
      this.next();
    }
    place.asides += 1;
    try {
      return await wait;
    } finally {
      place.asides -= 1;
      if (place.asides === 0 && !place.ended) {
        this.asleep -= 1;
        this.running += 1;
      }
    }
  }
}

export interface BoundedQueueOptions {
  /**
   * Tasks that may wait aside at once (`waitAside`); beyond it a task waits in its place. None (the
   * default) for the handed-over requests: there a place bounds the work begun, waits included.
   */
  asleepLimit?: number;
  /**
   * Asked before each task begins: while it holds back (the database has many operations waiting
   * for a connection), tasks wait here unbegun, but for a few (see `frontAtWorkWhileHeld`), so the
   * queue always moves.
   */
  gate?: BeginGate;
  /**
   * Tasks offered `behind` at work at once, at most: the rest wait their turn even when nothing
   * else waits, so that those offered without it always find places, and find the database's
   * connections less crowded (the timers fired on time: leases behind escalations). No bound by default.
   */
  behindAtWork?: number;
  /**
   * While the gate holds back for the database alone, tasks offered without `behind` still begin
   * until this many are at work (1 by default); while people's requests wait to begin, one.
   */
  frontAtWorkWhileHeld?: number;
}

export interface QueueLoad {
  waiting: number;
  atWork: number;
  aside: number;
}

/** A task's place in its queue: given away while it waits (`asides` at once), and whether it has ended. */
interface TaskPlace {
  queue: BoundedQueue;
  asides: number;
  ended: boolean;
}

/** The place of the task running (each task runs in its own context). */
const runningIn = new AsyncLocalStorage<TaskPlace>();

/**
 * A task's wait for a timer (a platform's turn, a short Retry-After) gives its place to another
 * task of its queue meanwhile: waiting is not work. Under the soak, deliveries waiting up to 30 s
 * for the turns of a few busy channels and methods took every place, and every other delivery
 * (a reply through a click's response URL, which waits for nothing) was turned away to its lease,
 * two minutes later (docs/benchmarks.md). Outside a queue's task, simply `wait`.
 */
export function waitAside<T>(wait: Promise<T>): Promise<T> {
  const place = runningIn.getStore();
  return place ? place.queue.aside(place, wait) : wait;
}
