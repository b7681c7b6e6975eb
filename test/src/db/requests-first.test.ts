import { setImmediate as nextTurn } from 'node:timers/promises';
import { RequestsFirst } from '../../../src/db/requests-first';
import { BEGUN_PER_TURN, BoundedQueue } from '../../../src/services/bounded-queue';
import { HeldGate } from '../../support/held-gate';


/** Tasks that run until the test releases them, counting how many began. */
function heldTasks() {
  const release: (() => void)[] = [];
  const counts = { begun: 0 };
  const task = () => async () => {
    counts.begun += 1;
    await new Promise<void>((resolve) => release.push(resolve));
  };
  const releaseAll = () => {
    for (const resolve of release.splice(0)) resolve();
  };
  return { counts, task, releaseAll };
}

/** A requests' queue and a background queue ordered over one pool gate, as a work thread has them. */
function ordered(requestsAtOnce: number, backgroundAtOnce: number) {
  const pool = new HeldGate();
  const order = new RequestsFirst(pool);
  const requests = new BoundedQueue(requestsAtOnce, Number.POSITIVE_INFINITY, { gate: order.requests });
  const background = new BoundedQueue(backgroundAtOnce, Number.POSITIVE_INFINITY, { gate: order.background });
  return { pool, requests, background };
}

describe('people\'s requests before background work (src/db/requests-first.ts)', () => {
  it('timers and deliveries begin no more while a request waits to begin, and begin once none waits', async () => {
    const { requests, background } = ordered(2, 10);
    const r = heldTasks();
    const b = heldTasks();

    background.offer(b.task());
    expect(b.counts.begun).toBe(1);
    // Two requests at work, two waiting for a place.
    for (let i = 0; i < 4; i++) requests.offer(r.task());
    expect(r.counts.begun).toBe(2);
    for (let i = 0; i < 5; i++) background.offer(b.task());
    expect(b.counts.begun).toBe(1);

    // The requests at work end; the two waiting begin, and nothing waits before the background work.
    r.releaseAll();
    await nextTurn();
    expect(r.counts.begun).toBe(4);
    expect(b.counts.begun).toBe(6);

    r.releaseAll();
    b.releaseAll();
    await requests.idle();
    b.releaseAll();
    await background.idle();
  });

  it('a background queue with nothing at work still begins one task while requests wait: a burst of timers is slowed, never stopped', async () => {
    const { requests, background } = ordered(1, 10);
    const r = heldTasks();
    for (let i = 0; i < 3; i++) requests.offer(r.task());
    const done: number[] = [];
    for (let i = 0; i < 3; i++) background.offer(async () => void done.push(i));
    await background.idle();
    expect(done).toEqual([0, 1, 2]);
    expect(r.counts.begun).toBe(1);
    for (let i = 0; i < 3; i++) {
      r.releaseAll();
      await nextTurn();
    }
    await requests.idle();
  });

  it('the first lane of timers keeps its few at work while the pool alone holds back, and only one while a request waits to begin', async () => {
    const pool = new HeldGate();
    const order = new RequestsFirst(pool);
    const requests = new BoundedQueue(1, Number.POSITIVE_INFINITY, { gate: order.requests });
    const timers = new BoundedQueue(10, Number.POSITIVE_INFINITY, { gate: order.background, frontAtWorkWhileHeld: 3 });
    const r = heldTasks();
    const t = heldTasks();
    pool.holdBack = true;
    // No queue of requests has reported yet (one thread answering and working): taken to wait.
    expect(order.background.requestsWaiting).toBe(true);
    for (let i = 0; i < 6; i++) timers.offer(t.task());
    await nextTurn();
    expect(t.counts.begun).toBe(1);
    // The requests' queue reports, none waiting: the lane takes its few places at once.
    requests.offer(r.task());
    expect(order.background.requestsWaiting).toBe(false);
    expect(t.counts.begun).toBe(3);
    // A request at work and one waiting to begin: no timer begins beyond the one of its lane at work.
    requests.offer(r.task());
    expect(order.background.requestsWaiting).toBe(true);
    t.releaseAll();
    await nextTurn();
    expect(t.counts.begun).toBe(4);
    // The request begins; none waits: the lane takes its few places again, at once, the pool still holding.
    r.releaseAll();
    await nextTurn();
    expect(order.background.requestsWaiting).toBe(false);
    expect(t.counts.begun).toBe(6);
    pool.relieve();
    r.releaseAll();
    await requests.idle();
    t.releaseAll();
    await timers.idle();
  });

  it('while the pool holds back, background work waits for its relief even once no request waits', async () => {
    const { pool, requests, background } = ordered(1, 10);
    const r = heldTasks();
    const b = heldTasks();
    background.offer(b.task());
    requests.offer(r.task());
    requests.offer(r.task());
    for (let i = 0; i < 4; i++) background.offer(b.task());
    expect(b.counts.begun).toBe(1);

    pool.holdBack = true;
    // The waiting request begins (a queue with nothing at work is never held); none waits now.
    r.releaseAll();
    await nextTurn();
    expect(r.counts.begun).toBe(2);
    expect(b.counts.begun).toBe(1);
    pool.relieve();
    expect(b.counts.begun).toBe(5);

    r.releaseAll();
    b.releaseAll();
    await requests.idle();
    await background.idle();
  });

  it('requests waiting only for their share of a turn hold background work back for that turn, and let it go once begun', async () => {
    const { requests, background } = ordered(100, 100);
    const b = heldTasks();
    const r = heldTasks();
    for (let i = 0; i < 50; i++) background.offer(b.task());
    for (let i = 0; i < 3; i++) requests.offer(r.task());
    expect(r.counts.begun).toBe(3);
    // Requests waiting only for their share of a turn still hold background work back for that turn.
    for (let i = 0; i < 2 * BEGUN_PER_TURN; i++) requests.offer(r.task());
    const backgroundBefore = b.counts.begun;
    await nextTurn();
    expect(b.counts.begun).toBe(backgroundBefore);
    await nextTurn();
    await nextTurn();
    expect(r.counts.begun).toBe(3 + 2 * BEGUN_PER_TURN);
    await nextTurn();
    expect(b.counts.begun).toBeGreaterThan(backgroundBefore);

    r.releaseAll();
    b.releaseAll();
    await requests.idle();
    while (background.size > 0) {
      b.releaseAll();
      await nextTurn();
    }
  });
});
