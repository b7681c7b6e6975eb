import type { Connection } from 'mongoose';
import type { App } from '../app';
import { poolPressureOf } from '../db/pool-pressure';
import type { BoundedQueue } from '../services/bounded-queue';
import type { Gauges } from './load-watch';

/**
 * What the load line reads where the work runs: operations waiting for a database connection (and
 * whether work that can wait is held back for them), the handed-over requests when this is the
 * work thread, the timers fired on time per lane, and the deliveries.
 */
export function workGauges(app: App, connection: Connection, requests?: BoundedQueue): Gauges {
  const pool = poolPressureOf(connection);
  const { wheel, notifier } = app.jobs;
  return {
    'database operations waiting for a connection': () => pool.waitingForConnection,
    'work held back by the database (share of seconds)': () => (pool.holdBack ? 1 : 0),
    ...(requests
      ? {
          'requests waiting to begin': () => requests.load().waiting,
          'requests at work': () => requests.load().atWork,
        }
      : {}),
    'timers of the first lane held to fire': () => wheel.load().firstLane,
    'timers of the lane behind held to fire': () => wheel.load().behindLane,
    'timers waiting for their turn to begin': () => wheel.load().queue.waiting,
    'timers at work': () => wheel.load().queue.atWork,
    'deliveries waiting to begin': () => notifier.load().waiting,
    'deliveries at work': () => notifier.load().atWork,
    'deliveries waiting aside for a turn': () => notifier.load().aside,
  };
}
