import pino from 'pino';
import type { Database } from '../../../src/db/connect';
import { FIRST_LANE_AT_WORK_WHILE_HELD, SHARDS_PER_LANE, TIMER_SHARDS, TimerWheel, shardOf } from '../../../src/services/timer-wheel';
import { eventually } from '../../support/eventually';
import { TestClock } from '../../support/factories';
import { HeldGate } from '../../support/held-gate';
import { countCommands, dropTestDatabase, openTestDatabase } from '../../support/test-database';

/** A run held until released: a handler that is slow (a busy database) for as long as the test wants. */
function heldRun(): { held: Promise<void>; release: () => void } {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  return { held, release };
}

/** `count` references named `<prefix>-<i>` that all fall in shard 0 (so one bucket holds them all). */
function refsInShardZero(prefix: string, count: number): string[] {
  return Array.from({ length: 40 * count }, (_, i) => `${prefix}-${i}`).filter((ref) => shardOf(ref) === 0).slice(0, count);
}

describe('timer wheel (against the real server)', () => {
  let database: Database;
  let clock: TestClock;
  let wheel: TimerWheel;
  let fired: string[];

  beforeEach(async () => {
    database = await openTestDatabase('wheel', { monitorCommands: true });
    clock = new TestClock(new Date('2026-11-23T00:00:00Z'));
    wheel = new TimerWheel(database.models, clock.now, pino({ level: 'silent' }));
    fired = [];
    wheel.on('test', async (ref) => {
      fired.push(ref);
    });
    await wheel.ensureCursors();
  });
  afterEach(() => dropTestDatabase(database));

  it('fires a timer once its 5-second bucket has settled, never before, and only once', async () => {
    await wheel.schedule('test', 'a', new Date('2026-11-23T00:01:00Z'));
    clock.set('2026-11-23T00:01:04Z');
    await wheel.tickAll();
    expect(fired).toEqual([]);
    clock.set('2026-11-23T00:01:09Z');
    await wheel.tickAll();
    expect(fired).toEqual(['a']);
    clock.set('2026-11-23T00:05:00Z');
    await wheel.tickAll();
    expect(fired).toEqual(['a']);
  });

  it('a timer already due fires at the next tick, and two processes filling one bucket lose nothing', async () => {
    const other = new TimerWheel(database.models, clock.now, pino({ level: 'silent' }));
    const due = new Date('2026-11-22T00:00:00Z'); // in the past
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? wheel : other).schedule('test', `same-shard-${i}`, due)),
    );
    clock.advanceMinutes(1);
    await wheel.tickAll();
    expect(fired.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `same-shard-${i}`).sort());
  });

  it('timers set at once into one bucket by one process take a slot each: one insert per timer, not one per slot tried', async () => {
    const dueAt = new Date('2026-11-23T00:03:00Z');
    // All in one shard (so one bucket), all at once, as a storm's two-minute leases are.
    const refs = refsInShardZero('lease', 60);
    const commands = await countCommands(database, () => Promise.all(refs.map((ref) => wheel.schedule('test', ref, dueAt))));
    // And the bucket's minute and hour markers, once.
    expect(commands.insert).toBe(refs.length + 2);
    clock.set('2026-11-23T00:04:00Z');
    await wheel.tickAll();
    expect(fired.sort()).toEqual([...refs].sort());
  });

  it('firing on time: a tick fires the next seconds\' timers at their due time, and the settled pass only what it did not read ahead', async () => {
    const onTime = new TimerWheel(database.models, clock.now, pino({ level: 'silent' }), { fireAheadMs: 8_000 });
    const firedAt: Record<string, number> = {};
    onTime.on('test', async (ref) => {
      firedAt[ref] = Date.now();
    });
    clock.set('2026-11-23T00:01:00Z');
    const soon = (ms: number) => new Date(clock.now().getTime() + ms);
    await onTime.schedule('test', 'due-now', soon(0));
    await onTime.schedule('test', 'in-600-ms', soon(600));
    await onTime.schedule('test', 'in-a-minute', soon(60_000));
    const ticked = Date.now();
    await onTime.tickAll();
    await eventually(() => 'in-600-ms' in firedAt);
    expect(Object.keys(firedAt).sort()).toEqual(['due-now', 'in-600-ms']);
    // At its due time (the test clock stands still, so the delay is real time), not before.
    expect((firedAt['in-600-ms'] as number) - ticked).toBeGreaterThanOrEqual(550);
    // Written after the reading ahead, into a bucket read ahead: the settled pass fires it, and only it.
    await onTime.schedule('test', 'written-late', soon(1_000));
    clock.set('2026-11-23T00:01:12Z');
    const settled = await onTime.tickAll();
    expect(settled.timers).toBe(1);
    await eventually(() => 'written-late' in firedAt);
    expect(Object.keys(firedAt).sort()).toEqual(['due-now', 'in-600-ms', 'written-late']);
    // A process that read nothing ahead (the one holding the shard died) fires them all once settled.
    clock.set('2026-11-23T00:02:10Z');
    await onTime.tickAll();
    await eventually(() => 'in-a-minute' in firedAt);
    onTime.stopFiringAhead();
  });

  it('firing on time with two processes: what one read ahead and ran, the other does not run again; what it read but never ran (stopped), the other runs', async () => {
    const silent = pino({ level: 'silent' });
    const [first, second] = [0, 1].map(() => new TimerWheel(database.models, clock.now, silent, { fireAheadMs: 8_000 }));
    const ran: string[] = [];
    for (const [name, wheel] of [['first', first], ['second', second]] as const) wheel!.on('test', async (ref) => void ran.push(`${name}:${ref}`));
    clock.set('2026-11-23T00:01:00Z');
    await first!.schedule('test', 'ran-ahead', clock.now());
    await first!.tickAll();
    await eventually(() => ran.length === 1);
    await first!.idle();
    // The marking follows the run; the second process settles the bucket (the shard's tick moved to it).
    await new Promise((resolve) => setTimeout(resolve, 200));
    clock.set('2026-11-23T00:01:09Z');
    await second!.tickAll();
    expect(ran).toEqual(['first:ran-ahead']);

    await first!.schedule('test', 'never-ran', new Date('2026-11-23T00:01:14Z'));
    await first!.tickAll(); // read ahead, to fire five seconds from now
    first!.stopFiringAhead(); // the process stops before
    clock.set('2026-11-23T00:01:19Z');
    await second!.tickAll();
    expect(ran).toEqual(['first:ran-ahead', 'second:never-ran']);
  });

  it('says how far each lane lies behind: its oldest bucket not worked through, a timer still running included', async () => {
    const onTime = new TimerWheel(database.models, clock.now, pino({ level: 'silent' }), { fireAheadMs: 8_000 });
    const slow = heldRun();
    onTime.on('test', () => slow.held);
    clock.set('2026-11-23T00:01:00Z');
    await onTime.tickAll();
    // Kept up: behind by the settle time and the bucket settling (the test clock stands on a bucket's start).
    expect(await onTime.behindMs()).toEqual({ firstLane: 5_000, behindLane: 5_000 });
    // Ten minutes without a tick: every lane as far behind.
    clock.set('2026-11-23T00:11:00Z');
    expect(await onTime.behindMs()).toEqual({ firstLane: 605_000, behindLane: 605_000 });
    // Ticked again, all caught up but one shard's timer still running: its lane stays behind from that timer's bucket on.
    const ref = refsInShardZero('held', 1)[0]!;
    await onTime.schedule('test', ref, clock.now());
    await onTime.tickAll();
    clock.set('2026-11-23T00:16:00Z');
    await onTime.tickAll();
    // The held timer's bucket began at 00:11:00, five minutes ago.
    expect(await onTime.behindMs()).toEqual({ firstLane: 300_000, behindLane: 5_000 });
    slow.release();
    await onTime.idle();
    // Its marking follows the run.
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The next tick (the next bucket settled) saves the cursor past it.
    clock.set('2026-11-23T00:16:10Z');
    await onTime.tickAll();
    expect(await onTime.behindMs()).toEqual({ firstLane: 5_000, behindLane: 5_000 });
    await onTime.stopFiringAhead();
  });

  it('a stopping process waits for the timers it fired on time to finish before its database closes, and says how many outlast the grace', async () => {
    const onTime = new TimerWheel(database.models, clock.now, pino({ level: 'silent' }), { fireAheadMs: 8_000 });
    const slow = heldRun();
    const finished: string[] = [];
    onTime.on('test', async (ref) => {
      await slow.held;
      // Its own writes: they need the database the stop closes after the wheel.
      await onTime.schedule('test', `${ref}-follow-up`, new Date('2026-11-23T01:00:00Z'));
      finished.push(ref);
    });
    clock.set('2026-11-23T00:01:00Z');
    await onTime.schedule('test', 'running', clock.now());
    // Due 1.5 s from now in real time (the test clock stands still): read ahead, stopped before it begins.
    await onTime.schedule('test', 'not-begun', new Date('2026-11-23T00:01:01.500Z'));
    await onTime.tickAll();
    await eventually(() => onTime.load().firstLane + onTime.load().behindLane === 2);
    // Within a grace shorter than the handler: one still running when the stop gives up.
    expect(await onTime.stopFiringAhead(50)).toEqual({ running: 1 });
    const stopped = onTime.stopFiringAhead(5_000);
    setTimeout(slow.release, 200);
    expect(await stopped).toEqual({ running: 0 });
    expect(finished).toEqual(['running']);
    // Read ahead, not begun: left for the settled pass, past its due time.
    await new Promise((resolve) => setTimeout(resolve, 1_800));
    expect(finished).toEqual(['running']);
  });

  it('once stopping, a timer of a kind run at once is stored but not run here (the database closes after the runs begun): its bucket runs it', async () => {
    const ran: string[] = [];
    wheel.on('now', async (ref) => void ran.push(ref), { atOnce: true });
    await wheel.stopFiringAhead();
    clock.set('2026-11-23T00:01:00Z');
    await wheel.schedule('now', 'after-the-stop', clock.now());
    await wheel.idle();
    expect(ran).toEqual([]);
    const next = new TimerWheel(database.models, clock.now, pino({ level: 'silent' }));
    next.on('now', async (ref) => void ran.push(`next:${ref}`), { atOnce: true });
    clock.set('2026-11-23T00:01:09Z');
    await next.tickAll();
    expect(ran).toEqual(['next:after-the-stop']);
  });

  it('firing on time while the database is behind: beyond the first lane\'s few at work, timers wait to begin until the gate is relieved, then all run once', async () => {
    // The gate as the pool's pressure gives it: held back now, its listeners called at relief.
    const relief: (() => void)[] = [];
    const gate = { holdBack: true, whenRelieved: (listener: () => void) => void relief.push(listener) };
    const onTime = new TimerWheel(database.models, clock.now, pino({ level: 'silent' }), { fireAheadMs: 8_000, beginGate: gate });
    const begun: string[] = [];
    const first = heldRun();
    onTime.on('test', async (ref) => {
      begun.push(ref);
      await first.held;
    });
    clock.set('2026-11-23T00:01:00Z');
    const due = FIRST_LANE_AT_WORK_WHILE_HELD + 4;
    for (let i = 0; i < due; i++) await onTime.schedule('test', `due-${i}`, clock.now());
    await onTime.tickAll();
    // The first lane keeps its few at work while the gate holds; the rest wait.
    await eventually(() => begun.length === FIRST_LANE_AT_WORK_WHILE_HELD);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(begun).toHaveLength(FIRST_LANE_AT_WORK_WHILE_HELD);
    gate.holdBack = false;
    for (const listener of relief.splice(0)) listener();
    await eventually(() => begun.length === due);
    first.release();
    await onTime.idle();
    expect([...begun].sort()).toEqual(Array.from({ length: due }, (_, i) => `due-${i}`).sort());
    // Read ahead and run: the settled pass runs none of them again.
    await new Promise((resolve) => setTimeout(resolve, 200));
    clock.set('2026-11-23T00:01:12Z');
    expect((await onTime.tickAll()).timers).toBe(0);
    expect(begun).toHaveLength(due);
    // All run: every shard's cursor is saved beyond their bucket.
    const cursors = await database.models.TimerCursor.find({}).lean();
    expect(cursors.map((cursor) => cursor.bucket >= Date.parse('2026-11-23T00:01:00Z') / 5_000)).toEqual(Array(TIMER_SHARDS).fill(true));
    onTime.stopFiringAhead();
  });

  it('firing on time while the database is behind: an escalation begins though leases are at work; leases waiting begin only at relief', async () => {
    const gate = new HeldGate();
    gate.holdBack = true;
    const onTime = new TimerWheel(database.models, clock.now, pino({ level: 'silent' }), { fireAheadMs: 8_000, beginGate: gate });
    const begun: string[] = [];
    const lease = heldRun();
    onTime.on('test', async (ref) => void begun.push(ref));
    // A lease at work waits (for room among the deliveries, say) while the database holds work back.
    onTime.on('lease', async (ref) => {
      begun.push(ref);
      if (ref === 'lease-0') await lease.held;
    }, { behindOthers: true });
    clock.set('2026-11-23T00:01:00Z');
    await onTime.schedule('lease', 'lease-0', clock.now());
    await onTime.tickAll();
    await eventually(() => begun.length === 1);
    // While it waits and the gate holds, more leases fall due, then an escalation.
    for (let i = 1; i < 4; i++) await onTime.schedule('lease', `lease-${i}`, new Date('2026-11-23T00:01:01Z'));
    await onTime.schedule('test', 'escalation', new Date('2026-11-23T00:01:02Z'));
    await onTime.tickAll();
    // The escalation begins at its time beside the lease at work; the leases due before it still wait.
    await eventually(() => begun.length === 2, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(begun).toEqual(['lease-0', 'escalation']);
    lease.release();
    gate.relieve();
    await eventually(() => begun.length === 5);
    expect(begun.slice(2).sort()).toEqual(['lease-1', 'lease-2', 'lease-3']);
    onTime.stopFiringAhead();
  });

  it('firing on time with a backlog: a tick reads no more once its bound of timers waits to begin; the rest wait in their buckets', async () => {
    const gate = new HeldGate();
    gate.holdBack = true;
    const onTime = new TimerWheel(database.models, clock.now, pino({ level: 'silent' }), { fireAheadMs: 8_000, beginGate: gate, firingHeld: 3, firstLaneAtWorkWhileHeld: 1 });
    const begun: string[] = [];
    const first = heldRun();
    onTime.on('test', async (ref) => {
      begun.push(ref);
      await first.held;
    });
    clock.set('2026-11-23T00:01:00Z');
    const refs = refsInShardZero('timer', 6);
    for (const [i, ref] of refs.entries()) await onTime.schedule('test', ref, new Date(clock.now().getTime() + (i < 3 ? 0 : 5_000)));
    // The first bucket's three are read and wait (one at work); the next bucket is left in the database.
    expect((await onTime.tick(0)).timers).toBe(3);
    await eventually(() => begun.length === 1);
    expect((await onTime.tick(0)).timers).toBe(0);
    // Settled meanwhile, the next bucket is not read either while the backlog lasts.
    clock.set('2026-11-23T00:01:20Z');
    expect((await onTime.tick(0)).timers).toBe(0);
    first.release();
    gate.relieve();
    await eventually(() => begun.length === 3);
    await onTime.idle();
    // Below the bound again: the settled pass hands the rest to the same queue.
    expect((await onTime.tick(0)).timers).toBe(3);
    await eventually(() => begun.length === 6);
    expect([...begun].sort()).toEqual([...refs].sort());
    onTime.stopFiringAhead();
  });

  it('kinds behind the others have shards of their own: a backlog of them holds back no other kind\'s reading', async () => {
    const gate = new HeldGate();
    gate.holdBack = true;
    const onTime = new TimerWheel(database.models, clock.now, pino({ level: 'silent' }), { fireAheadMs: 8_000, beginGate: gate, firingHeld: 3, firstLaneAtWorkWhileHeld: 1 });
    const begun: string[] = [];
    const first = heldRun();
    onTime.on('test', async (ref) => void begun.push(ref));
    onTime.on('lease', async (ref) => {
      begun.push(ref);
      await first.held;
    }, { behindOthers: true });
    clock.set('2026-11-23T00:01:00Z');
    const leases = refsInShardZero('lease', 6);
    for (const [i, ref] of leases.entries()) await onTime.schedule('lease', ref, new Date(clock.now().getTime() + (i < 3 ? 0 : 5_000)));
    await onTime.schedule('test', 'escalation', clock.now());
    const inShard = async (shard: number) => (await database.models.Timer.find({ _id: { $regex: `^${shard}:` } }).lean()).map((t) => t.ref);
    expect((await inShard(SHARDS_PER_LANE)).sort()).toEqual([...leases].sort());
    // The leases' lane is held once its first bucket is read (three, its bound); the escalation's lane is not.
    expect((await onTime.tickAll()).timers).toBe(4);
    first.release();
    gate.relieve();
    await eventually(() => begun.length === 4);
    // Whichever began first while nothing was at work, the escalation came before the leases waiting.
    expect(begun.indexOf('escalation')).toBeLessThan(2);
    await onTime.idle();
    // Below its bound again, the leases' lane reads on.
    expect((await onTime.tickAll()).timers).toBe(3);
    await eventually(() => begun.length === leases.length + 1);
    onTime.stopFiringAhead();
  });

  it('read ahead but still waiting to begin when their bucket settles: the cursor stays before them, so another process fires them should this one stop', async () => {
    const gate = new HeldGate();
    gate.holdBack = true;
    const silent = pino({ level: 'silent' });
    const first = new TimerWheel(database.models, clock.now, silent, { fireAheadMs: 8_000, beginGate: gate, firstLaneAtWorkWhileHeld: 1 });
    const second = new TimerWheel(database.models, clock.now, silent, { fireAheadMs: 8_000 });
    const ran: string[] = [];
    const held = heldRun();
    first.on('test', async (ref) => {
      ran.push(`first:${ref}`);
      await held.held;
    });
    second.on('test', async (ref) => void ran.push(`second:${ref}`));
    clock.set('2026-11-23T00:01:00Z');
    const refs = refsInShardZero('due', 4);
    for (const ref of refs) await first.schedule('test', ref, clock.now());
    await first.tickAll();
    // One begins (nothing else at work) and is held; the gate keeps the rest waiting.
    await eventually(() => ran.length === 1);
    // The bucket settles while they wait; a process's settled pass moves on beyond it.
    clock.set('2026-11-23T00:01:12Z');
    await first.tickAll();
    clock.set('2026-11-23T00:01:24Z');
    await first.tickAll();
    expect(ran).toEqual([`first:${refs[0]}`]);
    first.stopFiringAhead(); // the process stops (or dies) before they begin
    held.release();
    // Their shard's next tick falls to another process: it runs them from its cursor, the one begun
    // here too (its bucket was never marked fired: handlers bear a second run).
    await second.tickAll();
    expect(ran.filter((r) => r.startsWith('second:')).sort()).toEqual(refs.map((ref) => `second:${ref}`).sort());
  });

  it('a timer written late into a bucket read while the cursor is held behind timers still to run lands after what was read, and fires', async () => {
    const gate = new HeldGate();
    gate.holdBack = true;
    const silent = pino({ level: 'silent' });
    const reader = new TimerWheel(database.models, clock.now, silent, { fireAheadMs: 8_000, beginGate: gate, firstLaneAtWorkWhileHeld: 1 });
    const ran: string[] = [];
    const held = heldRun();
    reader.on('test', async (ref) => {
      ran.push(ref);
      if (ref.startsWith('backlog')) await held.held;
    });
    clock.set('2026-11-23T00:01:00Z');
    const refs = refsInShardZero('backlog', 3);
    for (const ref of refs) await reader.schedule('test', ref, clock.now());
    await reader.tickAll();
    await eventually(() => ran.length === 1);
    // The reader's pass goes on to 00:01:20 while the cursor stays before the backlog's bucket.
    clock.set('2026-11-23T00:01:24Z');
    await reader.tickAll();
    // A writer whose clock is behind (or whose write was slow) sets a timer due at 00:01:10.
    const writerClock = new TestClock(new Date('2026-11-23T00:01:10Z'));
    const writer = new TimerWheel(database.models, writerClock.now, silent);
    const [late] = refsInShardZero('late', 1) as [string];
    await writer.schedule('test', late, writerClock.now());
    held.release();
    gate.relieve();
    await eventually(() => ran.length === refs.length);
    await reader.idle();
    clock.set('2026-11-23T00:01:40Z');
    await reader.tickAll();
    await eventually(() => ran.includes(late));
    reader.stopFiringAhead();
  });

  it('timers of a kind run at once still run at once while many fired on time are running', async () => {
    const onTime = new TimerWheel(database.models, clock.now, pino({ level: 'silent' }), { fireAheadMs: 8_000 });
    const slow = heldRun();
    let slowRunning = 0;
    onTime.on('slow', async () => {
      slowRunning += 1;
      await slow.held;
    });
    const ranAtOnce: string[] = [];
    onTime.on('created', async (ref) => void ranAtOnce.push(ref), { atOnce: true });
    clock.set('2026-11-23T00:01:00Z');
    const refs = Array.from({ length: 80 }, (_, i) => `slow-${i}`);
    await onTime.scheduleMany(refs.map((ref) => ({ kind: 'slow', ref, dueAt: clock.now() })));
    await onTime.tickAll();
    await eventually(() => slowRunning === 80);
    // A report's first timer: more than 64 handlers are running, but none of them at once.
    await onTime.schedule('created', 'INC0001', clock.now());
    await eventually(() => ranAtOnce.length === 1);
    slow.release();
    await onTime.idle();
    onTime.stopFiringAhead();
  });

  it('a timer written by a process whose clock is behind the reader\'s still fires', async () => {
    const lagging = new TimerWheel(database.models, () => new Date(clock.now().getTime() - 20_000), pino({ level: 'silent' }));
    clock.set('2026-11-23T00:10:00Z');
    await wheel.tickAll(); // the reader has worked through 00:09:52
    await lagging.schedule('test', 'late', new Date('2026-11-23T00:09:40Z')); // its "now" is 00:09:40
    clock.set('2026-11-23T00:10:10Z');
    await wheel.tickAll();
    expect(fired).toEqual(['late']);
  });

  it('after two idle days catches up with a few lookups per empty hour, not one per bucket', async () => {
    await wheel.schedule('test', 'monday', new Date('2026-11-23T10:00:00Z'));
    await wheel.schedule('test', 'tuesday', new Date('2026-11-24T15:30:00Z'));
    clock.set('2026-11-25T00:00:00Z');
    const commands = await countCommands(database, () => wheel.tickAll());
    expect(fired.sort()).toEqual(['monday', 'tuesday']);
    // 48 hours × 4 shards of hour markers, plus the two busy minutes' buckets: about 400 lookups
    // instead of 48 × 720 × 4 = 138,240 bucket reads.
    expect(commands.find).toBeLessThan(600);
  });

  it('runs of one at-once timer never overlap: two copies in one bucket, set by other processes', async () => {
    const runs: string[] = [];
    let running = 0;
    wheel.on('step', async (ref) => {
      running += 1;
      runs.push(`${ref} starts with ${running} running`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      running -= 1;
    }, { atOnce: true });
    // Two other processes (without the handler, so not run at once there) set the same timer.
    for (let i = 0; i < 2; i++) await new TimerWheel(database.models, clock.now, pino({ level: 'silent' })).schedule('step', 'INC1#0', clock.now());
    clock.advanceMinutes(1);
    await wheel.tickAll();
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(new Set(runs)).toEqual(new Set(['INC1#0 starts with 1 running']));
  });

  it('a bucket holding a timer still running at once is not passed until that run is done, then not run again here', async () => {
    let runs = 0;
    const { held, release } = heldRun();
    wheel.on('step', async () => {
      runs += 1;
      await held; // the run at once is slow (a busy database)
    }, { atOnce: true });
    await wheel.schedule('step', 'INC1#0', clock.now());
    clock.advanceMinutes(1);
    // The tick neither waits for the run at once nor runs the handler a second time, nor passes the bucket.
    expect(await wheel.tickAll()).toMatchObject({ timers: 0, failed: 0 });
    expect(runs).toBe(1);
    release();
    await wheel.idle();
    expect(await wheel.tickAll()).toMatchObject({ timers: 0, failed: 0 });
    expect(runs).toBe(1);
  });

  it('should the process die during a run at once, another settling the bucket runs the timer', async () => {
    const { held, release } = heldRun();
    wheel.on('step', () => held, { atOnce: true });
    await wheel.schedule('step', 'INC4#0', clock.now());
    clock.advanceMinutes(1);
    await wheel.tickAll(); // the run at once still going: the cursor stays before its bucket
    const other = new TimerWheel(database.models, clock.now, pino({ level: 'silent' }));
    let otherRuns = 0;
    other.on('step', async () => {
      otherRuns += 1;
    }, { atOnce: true });
    await other.tickAll();
    expect(otherRuns).toBe(1);
    release();
    await wheel.idle();
  });

  it('read ahead, a timer still running at once is not marked fired until that run is done', async () => {
    const ahead = new TimerWheel(database.models, clock.now, pino({ level: 'silent' }), { fireAheadMs: 8_000 });
    let runs = 0;
    const { held, release } = heldRun();
    ahead.on('step', async () => {
      runs += 1;
      await held;
    }, { atOnce: true });
    await ahead.schedule('step', 'INC3#0', clock.now());
    await ahead.tickAll(); // reads the bucket ahead; its copy waits for the run at once
    await new Promise((resolve) => setTimeout(resolve, 100));
    // That process dies now: another settling the bucket finds no mark, and runs the timer.
    const other = new TimerWheel(database.models, clock.now, pino({ level: 'silent' }), { fireAheadMs: 8_000 });
    let otherRuns = 0;
    other.on('step', async () => {
      otherRuns += 1;
    }, { atOnce: true });
    clock.advanceMinutes(1);
    await other.tickAll();
    expect(otherRuns).toBe(1);
    release();
    await ahead.idle();
    expect(runs).toBe(1);
  });

  it('a timer run at once that fails is run again from its bucket', async () => {
    let calls = 0;
    const { held, release } = heldRun();
    wheel.on('step', async () => {
      calls += 1;
      if (calls === 1) {
        await held;
        throw new Error('database away');
      }
    }, { atOnce: true });
    await wheel.schedule('step', 'INC2#0', clock.now());
    clock.advanceMinutes(1);
    await wheel.tickAll(); // leaves the bucket to the run at once, still going
    release();
    await wheel.idle();
    expect(calls).toBe(1);
    await wheel.tickAll();
    expect(calls).toBe(2);
  });

  it('a tick out of time stops within a bucket; the next goes on from there, running nothing twice', async () => {
    const budgeted = new TimerWheel(database.models, clock.now, pino({ level: 'silent' }), { tickBudgetMs: 150 });
    const runs: string[] = [];
    budgeted.on('slow', async (ref) => {
      runs.push(ref);
      await new Promise((resolve) => setTimeout(resolve, 100));
    });
    const refs = refsInShardZero('slow', 24);
    for (const ref of refs) await budgeted.schedule('slow', ref, clock.now());
    clock.advanceMinutes(1);
    // 8 at once, 100 ms each: the first round starts whatever the time, no round after the budget.
    const first = await budgeted.tick(0);
    expect(first.timers).toBeGreaterThanOrEqual(8);
    expect(first.timers).toBeLessThan(refs.length);
    for (let ticks = 0; runs.length < refs.length && ticks < 5; ticks++) await budgeted.tick(0);
    expect(runs.sort()).toEqual([...refs].sort());
  });

  it('a handler that fails is tried again 30 seconds later', async () => {
    let calls = 0;
    wheel.on('flaky', async () => {
      calls += 1;
      if (calls === 1) throw new Error('database away');
    });
    await wheel.schedule('flaky', 'x', clock.now());
    clock.advanceMinutes(0.2);
    expect(await wheel.tickAll()).toMatchObject({ timers: 1, failed: 1 });
    clock.advanceMinutes(0.3);
    await wheel.tickAll();
    expect(calls).toBe(1);
    clock.advanceMinutes(0.5);
    await wheel.tickAll();
    expect(calls).toBe(2);
  });

  it('says, once a minute at most, which kinds of timers began 30 s or more after their due time, and how late', async () => {
    const lines: Record<string, unknown>[] = [];
    const told = new TimerWheel(database.models, clock.now, pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) }));
    told.on('escalation', async () => undefined);
    told.on('test', async () => undefined);
    const late = () => lines.filter((l) => l.msg === 'timers began late: the database or this process is behind').map((l) => l.late as Record<string, { count: number; mostLateMs: number }>);
    /** What the lines told so far, added up by kind. */
    const toldByKind = () => {
      const sum: Record<string, { count: number; mostLateMs: number }> = {};
      for (const line of late()) {
        for (const [kind, seen] of Object.entries(line)) {
          const s = (sum[kind] ??= { count: 0, mostLateMs: 0 });
          s.count += seen.count;
          s.mostLateMs = Math.max(s.mostLateMs, seen.mostLateMs);
        }
      }
      return sum;
    };
    await told.schedule('escalation', 'INC1', new Date('2026-11-23T00:01:00Z'));
    await told.schedule('escalation', 'INC2', new Date('2026-11-23T00:01:30Z'));
    // On time for the settled pass (9 s after): not late.
    await told.schedule('test', 'on-time', new Date('2026-11-23T00:02:00Z'));
    clock.set('2026-11-23T00:02:09Z');
    expect(await told.tickAll()).toMatchObject({ timers: 3 });
    await told.tickAll();
    // Told at the first tick after the first late one; whatever began after it waits a minute.
    expect(late()).toHaveLength(1);
    await told.schedule('test', 'late', new Date('2026-11-23T00:01:00Z'));
    clock.set('2026-11-23T00:02:39Z');
    await told.tickAll();
    await told.tickAll();
    expect(late()).toHaveLength(1);
    clock.set('2026-11-23T00:03:10Z');
    await told.tickAll();
    expect(late()).toHaveLength(2);
    expect(toldByKind()).toEqual({ escalation: { count: 2, mostLateMs: 69_000 }, test: { count: 1, mostLateMs: 99_000 } });
  });

  it('sweeps timers and markers of buckets a day old, and keeps what is still to come', async () => {
    await wheel.schedule('test', 'old', new Date('2026-11-23T00:01:00Z'));
    await wheel.scheduleOnce('test', 'future', new Date('2026-11-30T00:00:00Z'));
    clock.set('2026-11-24T02:00:00Z');
    await wheel.tickAll();
    expect(await wheel.sweep()).toBe(3); // the old timer, its minute and hour markers, nothing else
    expect(await database.models.Timer.countDocuments()).toBe(1);
    clock.set('2026-11-30T00:01:00Z');
    await wheel.tickAll();
    expect(fired).toEqual(['old', 'future']);
  });

  it('spreads references over every shard', () => {
    const shards = new Set(Array.from({ length: 100 }, (_, i) => shardOf(`INC${1000 + i}`)));
    expect(shards.size).toBe(SHARDS_PER_LANE);
  });
});

describe('timer wheel bulk scheduling', () => {
  it('imports many timers in batches and, where another writer took a slot, leaves no hole', async () => {
    const database = await openTestDatabase('wheel_bulk');
    try {
      const clock = new TestClock(new Date('2026-11-23T00:00:00Z'));
      const log = pino({ level: 'silent' });
      const importer = new TimerWheel(database.models, clock.now, log);
      const other = new TimerWheel(database.models, clock.now, log);
      await importer.ensureCursors();
      const due = new Date('2026-11-23T00:10:00Z');
      await other.schedule('test', 'INC1', due); // takes slot 0 of INC1's shard and bucket
      const entries = Array.from({ length: 2500 }, (_, i) => ({ kind: 'test', ref: `INC${i}`, dueAt: due }));
      await importer.scheduleMany(entries);
      const fired: string[] = [];
      importer.on('test', async (ref) => void fired.push(ref));
      clock.set('2026-11-23T00:11:00Z');
      await importer.tickAll();
      expect(fired).toHaveLength(2501);
      expect(new Set(fired).size).toBe(2500);
    } finally {
      await dropTestDatabase(database);
    }
  });
});
