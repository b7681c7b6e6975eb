import type { Connection } from 'mongoose';

/** Operations waiting for a pooled connection at which work that can wait stops beginning; it begins again at half. */
export const POOL_WAITING_HIGH = 64;

/** What a queue asks before it begins a task: whether to hold back, and a call for once it need not. */
export interface BeginGate {
  readonly holdBack: boolean;
  /**
   * Whether people's requests wait to begin, or may (`src/db/requests-first.ts`): held back then, a
   * queue keeps one task offered without `behind` at work rather than its few.
   */
  readonly requestsWaiting?: boolean;
  /** Calls `listener` once, at the next relief. */
  whenRelieved(listener: () => void): void;
  /** Told by the queue under it how many tasks wait to begin, as that changes (`src/db/requests-first.ts`). */
  waitingToBegin?(count: number): void;
}

/**
 * How many of a connection's database operations wait for one of the driver's pooled connections,
 * counted from its pool events. Work that can wait to begin (handed-over Slack requests, deliveries,
 * timers fired on time) holds back while many wait: begun, it would only join the queue for a
 * connection, each waiter holding its work's heap (a soak whose database fell behind held 15 MB in
 * the driver's wait queue, 12 MB in callers of one batched read, docs/benchmarks.md). Held back, it
 * waits as a request body, a leased delivery or a timer. Every checkout the driver
 * starts ends in one of the two events counted (a timeout and a cleared or closed pool too); only
 * one aborted through a signal would not, and opsdesk passes none.
 */
export class PoolPressure implements BeginGate {
  private waiting = 0;
  private held = false;
  /** Called once each at the next relief, then dropped: a queue asks again when it is held back again. */
  private relief: (() => void)[] = [];

  constructor(
    emitter: Pick<NodeJS.EventEmitter, 'on'>,
    private readonly high = POOL_WAITING_HIGH,
  ) {
    emitter.on('connectionCheckOutStarted', () => {
      this.waiting += 1;
      if (this.waiting >= this.high) this.held = true;
    });
    const ended = () => {
      this.waiting = Math.max(0, this.waiting - 1);
      if (this.held && this.waiting <= this.high / 2) {
        this.held = false;
        const relieved = this.relief;
        this.relief = [];
        for (const listener of relieved) listener();
      }
    };
    emitter.on('connectionCheckedOut', ended);
    emitter.on('connectionCheckOutFailed', ended);
  }

  /** Operations waiting for a connection now. */
  get waitingForConnection(): number {
    return this.waiting;
  }

  get holdBack(): boolean {
    return this.held;
  }

  whenRelieved(listener: () => void): void {
    this.relief.push(listener);
  }
}

const pressures = new WeakMap<Connection, PoolPressure>();

/** The one count for a connection's pool, shared by every queue of its process or thread. */
export function poolPressureOf(connection: Connection): PoolPressure {
  let pressure = pressures.get(connection);
  if (!pressure) pressures.set(connection, (pressure = new PoolPressure(connection.getClient())));
  return pressure;
}
