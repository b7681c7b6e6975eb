import type { Connection } from 'mongoose';
import { poolPressureOf, type BeginGate } from './pool-pressure';

/**
 * People's requests begin before the work they set going. Under the pool's gate alone
 * (`src/db/pool-pressure.ts`), each relief let the handed-over Slack requests, the timers fired on
 * time and the deliveries begin a share each, so in the soak's burst of escalations (2,000 falling
 * due within two minutes) the requests shared the database with both; in one run of two the
 * answering thread turned 4,933 away as busy, in two runs with this order none
 * (docs/benchmarks.md). Here background work also holds back while any request waits to begin;
 * each of its queues still keeps one task at work (a queue under a gate never stands still), so a
 * burst of timers is slowed while people wait, never stopped. Deliveries are background too,
 * replies to clicks among them: a request waiting to begin has not been done at all yet, while a
 * reply's request has.
 */
export class RequestsFirst {
  private requestsWaiting = 0;
  /**
   * Whether a queue of requests reports here. Where none does (one thread answers and works: no
   * work thread), requests run beside the background ungated, and are taken to be waiting.
   */
  private requestsQueued = false;
  private relief: (() => void)[] = [];
  private askedPool = false;
  /** The gate of the requests' queue: the pool's, told how many requests wait to begin. */
  readonly requests: BeginGate;
  /** The gate of the work requests set going, and of the timers (deliveries, timers fired on time). */
  readonly background: BeginGate;

  constructor(private readonly pool: BeginGate) {
    const self = this;
    this.requests = {
      get holdBack() {
        return pool.holdBack;
      },
      whenRelieved: (listener) => pool.whenRelieved(listener),
      waitingToBegin: (count) => {
        const before = self.requestsWaiting;
        const first = !self.requestsQueued;
        self.requestsQueued = true;
        self.requestsWaiting = count;
        if ((before > 0 || first) && count === 0) self.lookAgain();
      },
    };
    this.background = {
      get holdBack() {
        return pool.holdBack || self.requestsWaiting > 0;
      },
      get requestsWaiting() {
        return !self.requestsQueued || self.requestsWaiting > 0;
      },
      whenRelieved: (listener) => {
        self.relief.push(listener);
        self.relieveIfClear();
      },
    };
  }

  /**
   * No request waits any more: the background queues look again at once, whether or not the pool
   * still holds (held by the pool alone, a lane may keep more at work); those still held ask again.
   */
  private lookAgain(): void {
    const told = this.relief;
    this.relief = [];
    for (const listener of told) listener();
  }

  /** Tells the background queues waiting for relief, once neither the pool nor a request holds them back. */
  private relieveIfClear(): void {
    if (this.relief.length === 0) return;
    if (this.pool.holdBack) {
      if (!this.askedPool) {
        this.askedPool = true;
        this.pool.whenRelieved(() => {
          this.askedPool = false;
          this.relieveIfClear();
        });
      }
      return;
    }
    if (this.requestsWaiting > 0) return;
    this.lookAgain();
  }
}

const orders = new WeakMap<Connection, RequestsFirst>();

/** The one order for a connection's pool, shared by every queue of its process or thread. */
export function requestsFirstOf(connection: Connection): RequestsFirst {
  let order = orders.get(connection);
  if (!order) orders.set(connection, (order = new RequestsFirst(poolPressureOf(connection))));
  return order;
}
