import { setImmediate as nextTurn } from 'node:timers/promises';
import { BEGUN_PER_TURN, BoundedQueue, FRONT_BEFORE_BEHIND, waitAside } from '../../../src/services/bounded-queue';
import { eventually } from '../../support/eventually';
import { HeldGate } from '../../support/held-gate';

/** Tasks that note their names as they begin and run until the test releases them. */
function namedTasks() {
  const begun: string[] = [];
  const release: (() => void)[] = [];
  const task = (name: string) => async () => {
    begun.push(name);
    await new Promise<void>((resolve) => release.push(resolve));
  };
  return { begun, release, task };
}

const later = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('a bounded queue whose tasks give their places away while they wait for a timer', () => {
  it('runs a task at once while the ones before it wait aside for their turns, and is idle only once they are done', async () => {
    const queue = new BoundedQueue(2, 10, { asleepLimit: 10 });
    const done: string[] = [];
    const turn = (name: string) => async () => {
      await waitAside(later(200));
      done.push(name);
    };
    queue.offer(turn('first'));
    queue.offer(turn('second'));
    queue.offer(async () => {
      done.push('third');
    });
    await later(50);
    expect(done).toEqual(['third']);
    expect(queue.size).toBe(2);
    await queue.idle();
    expect(done.sort()).toEqual(['first', 'second', 'third']);
    expect(queue.size).toBe(0);
  });

  it.each([
    ['without waitAside', 10],
    ['in a queue that lets none wait aside', 0],
  ])('a task that waits for a timer %s holds its place', async (how, asleepLimit) => {
    const queue = new BoundedQueue(1, 10, { asleepLimit });
    const done: string[] = [];
    queue.offer(async () => {
      await (how === 'without waitAside' ? later(200) : waitAside(later(200)));
      done.push('first');
    });
    queue.offer(async () => {
      done.push('second');
    });
    await later(50);
    expect(done).toEqual([]);
    await queue.idle();
    expect(done).toEqual(['first', 'second']);
  });

  it('beyond its bound of tasks waiting aside, a task waits in its place: what runs stays bounded', async () => {
    const queue = new BoundedQueue(1, 10, { asleepLimit: 1 });
    let running = 0;
    let most = 0;
    const task = async () => {
      running += 1;
      most = Math.max(most, running);
      await waitAside(later(100));
      running -= 1;
    };
    for (let i = 0; i < 5; i++) queue.offer(task);
    await queue.idle();
    // One running and one aside at most: two begun at once.
    expect(most).toBe(2);
  });

  it('a task waiting aside twice at once gives its one place away once: no more tasks run than the bound', async () => {
    const queue = new BoundedQueue(1, 10, { asleepLimit: 10 });
    let working = 0;
    let most = 0;
    queue.offer(async () => {
      await Promise.all([waitAside(later(300)), waitAside(later(300))]);
    });
    const inPlace = async () => {
      working += 1;
      most = Math.max(most, working);
      await later(100);
      working -= 1;
    };
    queue.offer(inPlace);
    queue.offer(inPlace);
    await queue.idle();
    expect(most).toBe(1);
    expect(queue.size).toBe(0);
  });

  it('outside a task, waitAside simply waits', async () => {
    const started = Date.now();
    await waitAside(later(50));
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});

describe('a bounded queue under a gate (the database pool, src/db/pool-pressure.ts)', () => {
  it('begins nothing more while held back, asks once to be told of the relief, and begins the rest at it', async () => {
    const gate = new HeldGate();
    const queue = new BoundedQueue(10, Number.POSITIVE_INFINITY, { gate });
    let begun = 0;
    const release: (() => void)[] = [];
    const task = () => async () => {
      begun += 1;
      await new Promise<void>((resolve) => release.push(resolve));
    };
    queue.offer(task());
    gate.holdBack = true;
    for (let i = 0; i < 5; i++) queue.offer(task());
    expect(begun).toBe(1);
    expect(gate.listeners).toHaveLength(1);
    gate.relieve();
    expect(begun).toBe(6);
    for (const resolve of release) resolve();
    await queue.idle();
  });

  it('begins a share of its tasks in each turn of the event loop, so the gate sees the first ones ask before the rest begin', async () => {
    const gate = new HeldGate();
    const queue = new BoundedQueue(200, Number.POSITIVE_INFINITY, { gate });
    let begun = 0;
    const release: (() => void)[] = [];
    for (let i = 0; i < 40; i++) {
      queue.offer(async () => {
        begun += 1;
        await new Promise<void>((resolve) => release.push(resolve));
      });
    }
    expect(begun).toBe(BEGUN_PER_TURN);
    // What the first share asked for holds the queue back before the next turn's share.
    gate.holdBack = true;
    await nextTurn();
    expect(begun).toBe(BEGUN_PER_TURN);
    gate.relieve();
    expect(begun).toBe(2 * BEGUN_PER_TURN);
    await nextTurn();
    expect(begun).toBe(40);
    for (const resolve of release) resolve();
    await queue.idle();
  });

  it('tasks offered behind begin only once no other task waits to begin, whenever they were offered', async () => {
    const gate = new HeldGate();
    gate.holdBack = true;
    const queue = new BoundedQueue(10, 3, { gate });
    const begun: string[] = [];
    for (const name of ['lease-1', 'lease-2']) queue.offer(async () => void begun.push(name), { behind: true });
    for (const name of ['escalation-1', 'escalation-2', 'escalation-3']) queue.offer(async () => void begun.push(name));
    // Both lanes count towards the bound of tasks waiting to begin (the first lease and the first escalation began at once).
    expect(queue.full).toBe(true);
    expect(queue.offer(async () => void begun.push('refused'))).toBe(false);
    await queue.idle();
    // The first lease began at once (nothing was at work), the first escalation too (none of its lane
    // was); the gate held the rest, which began in order of their lanes.
    expect(begun).toEqual(['lease-1', 'escalation-1', 'escalation-2', 'escalation-3', 'lease-2']);
  });

  it('held back, tasks offered without behind keep their own few at work, whatever behind is at work; those behind wait for relief', async () => {
    const gate = new HeldGate();
    const queue = new BoundedQueue(10, Number.POSITIVE_INFINITY, { gate, frontAtWorkWhileHeld: 2 });
    const { begun, release, task } = namedTasks();
    // A lease at work (waiting for delivery room), then the database holds work back.
    queue.offer(task('lease-0'), { behind: true });
    gate.holdBack = true;
    queue.offer(task('lease-1'), { behind: true });
    for (let i = 0; i < 3; i++) queue.offer(task(`escalation-${i}`));
    await nextTurn();
    // Two escalations begin beside the lease; the third and the second lease wait.
    expect(begun).toEqual(['lease-0', 'escalation-0', 'escalation-1']);
    // One escalation ends: the next takes its place, held back or not; the lease still waits.
    (release[1] as () => void)();
    await eventually(() => begun.length === 4);
    await nextTurn();
    expect(begun[3]).toBe('escalation-2');
    expect(queue.load()).toEqual({ waiting: 1, atWork: 3, aside: 0 });
    gate.relieve();
    expect(begun[4]).toBe('lease-1');
    for (const resolve of release) resolve();
    await queue.idle();
  });

  it('held back while people\'s requests wait to begin, tasks offered without behind keep only one at work', async () => {
    const gate = new HeldGate();
    const queue = new BoundedQueue(10, Number.POSITIVE_INFINITY, { gate, frontAtWorkWhileHeld: 4 });
    const { begun, release, task } = namedTasks();
    gate.holdBack = true;
    gate.requestsWaiting = true;
    for (let i = 0; i < 3; i++) queue.offer(task(`escalation-${i}`));
    await nextTurn();
    expect(begun).toEqual(['escalation-0']);
    // The requests have begun; the database alone holds back: the lane takes its few places.
    gate.requestsWaiting = false;
    (release[0] as () => void)();
    await eventually(() => begun.length === 3);
    gate.relieve();
    for (const resolve of release) resolve();
    await queue.idle();
  });

  it('tasks offered behind are not starved: one begins after each FRONT_BEFORE_BEHIND of the others in a row', async () => {
    const queue = new BoundedQueue(1);
    const begun: string[] = [];
    const release: (() => void)[] = [];
    const task = (name: string) => async () => {
      begun.push(name);
      await new Promise<void>((resolve) => release.push(resolve));
    };
    queue.offer(task('first'));
    for (let i = 0; i < 2; i++) queue.offer(task(`lease-${i}`), { behind: true });
    for (let i = 0; i < 2 * FRONT_BEFORE_BEHIND; i++) queue.offer(task(`escalation-${i}`));
    while (begun.length < 3 + 2 * FRONT_BEFORE_BEHIND) {
      await eventually(() => release.length > 0);
      (release.shift() as () => void)();
    }
    // 'first' and seven escalations, then a lease; eight escalations, then the other.
    expect(begun.indexOf('lease-0')).toBe(FRONT_BEFORE_BEHIND);
    expect(begun.indexOf('lease-1')).toBe(2 * FRONT_BEFORE_BEHIND + 1);
    for (const resolve of release) resolve();
    await queue.idle();
  });

  it('tasks offered behind are at work a bounded number at once: the others find places and begin at once', async () => {
    const queue = new BoundedQueue(10, Number.POSITIVE_INFINITY, { behindAtWork: 2 });
    const begun: string[] = [];
    const release: (() => void)[] = [];
    const task = (name: string) => async () => {
      begun.push(name);
      await new Promise<void>((resolve) => release.push(resolve));
    };
    for (let i = 0; i < 4; i++) queue.offer(task(`lease-${i}`), { behind: true });
    // Nothing else waits, yet only two leases are at work; the others wait though places are free.
    expect(begun).toEqual(['lease-0', 'lease-1']);
    expect(queue.load()).toEqual({ waiting: 2, atWork: 2, aside: 0 });
    queue.offer(task('escalation'));
    expect(begun).toEqual(['lease-0', 'lease-1', 'escalation']);
    // A lease ends: the next lease takes its place.
    (release.shift() as () => void)();
    await eventually(() => begun.length === 4);
    expect(begun[3]).toBe('lease-2');
    while (begun.length < 5 || release.length > 0) {
      await eventually(() => release.length > 0);
      (release.shift() as () => void)();
    }
    await queue.idle();
    expect([...begun].sort()).toEqual(['escalation', 'lease-0', 'lease-1', 'lease-2', 'lease-3']);
  });

  it('a caller waits for room rather than putting its task off: told once a place to wait frees, or not after its time or its stop', async () => {
    const queue = new BoundedQueue(1, 1);
    const release: (() => void)[] = [];
    const held = () => new Promise<void>((resolve) => release.push(resolve));
    queue.offer(held);
    queue.offer(held);
    expect(queue.full).toBe(true);
    // Told in order of asking, one per place freed.
    const first = queue.roomWithin(5_000);
    const second = queue.roomWithin(5_000);
    const told: string[] = [];
    void first.then((room) => told.push(`first ${room}`));
    void second.then((room) => told.push(`second ${room}`));
    (release.shift() as () => void)(); // the task at work ends; the one waiting begins: one place to wait is free
    await eventually(() => told.length === 1);
    expect(told).toEqual(['first true']);
    queue.offer(held); // the first caller takes it
    expect(queue.full).toBe(true);
    // Not told in its time: false, and it is no longer among those waiting.
    expect(await queue.roomWithin(50)).toBe(false);
    const stop = new AbortController();
    const stopped = queue.roomWithin(5_000, stop.signal);
    stop.abort();
    expect(await stopped).toBe(false);
    expect(await queue.roomWithin(0, stop.signal)).toBe(false);
    while (release.length > 0 || queue.size > 0) {
      if (release.length > 0) (release.shift() as () => void)();
      await later(5);
    }
    expect(await second).toBe(true);
    expect(await queue.roomWithin(0)).toBe(true);
    await queue.idle();
  });

  it('a caller waiting for room may leave places to tasks offered without waiting: told only once more than those are free', async () => {
    const queue = new BoundedQueue(1, 2);
    const release: (() => void)[] = [];
    const held = () => new Promise<void>((resolve) => release.push(resolve));
    for (let i = 0; i < 3; i++) queue.offer(held);
    expect(queue.full).toBe(true);
    let told = false;
    const waiting = queue.roomWithin(5_000, undefined, 1).then((room) => (told = room));
    // One place to wait frees: left to the others.
    (release.shift() as () => void)();
    await eventually(() => queue.load().waiting === 1);
    await later(20);
    expect(told).toBe(false);
    // Taken by a task offered without waiting; then two free: the caller is told.
    expect(queue.offer(held)).toBe(true);
    (release.shift() as () => void)();
    await eventually(() => queue.load().waiting === 1);
    (release.shift() as () => void)();
    await eventually(() => told);
    expect(await waiting).toBe(true);
    while (release.length > 0 || queue.size > 0) {
      if (release.length > 0) (release.shift() as () => void)();
      await later(5);
    }
    await queue.idle();
  });

  it('with nothing at work it begins one task whatever the gate says: it never stands still', async () => {
    const gate = new HeldGate();
    gate.holdBack = true;
    const queue = new BoundedQueue(10, Number.POSITIVE_INFINITY, { gate });
    const done: number[] = [];
    for (let i = 0; i < 3; i++) queue.offer(async () => void done.push(i));
    await queue.idle();
    expect(done).toEqual([0, 1, 2]);
  });

  it('tasks asleep for their turn are not at work: with only those, one more begins whatever the gate says', async () => {
    const gate = new HeldGate();
    const queue = new BoundedQueue(10, Number.POSITIVE_INFINITY, { asleepLimit: 5, gate });
    let wake!: () => void;
    const turn = new Promise<void>((resolve) => (wake = resolve));
    // A delivery waiting aside for a busy channel's turn.
    queue.offer(async () => {
      await waitAside(turn);
    });
    gate.holdBack = true;
    const replies: number[] = [];
    for (let i = 0; i < 2; i++) queue.offer(async () => void replies.push(i));
    await eventually(() => replies.length === 2);
    wake();
    await queue.idle();
  });
});
