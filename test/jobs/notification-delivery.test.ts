import type pino from 'pino';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createApp, type App } from '../../src/app';
import type { Database } from '../../src/db/connect';
import type { BoundedQueue } from '../../src/services/bounded-queue';
import { DELIVERIES_MADE_LATE } from '../../src/services/notifier';
import { JAMIE, TestClock, buildActor, buildApp, buildConfig, cardOf, recordingLogger, reportInput, run, silentLogger } from '../support/factories';
import { RecordingDeliverer, runClockUntil, settle, type PostedNotification } from '../support/job-clock';
import { eventually } from '../support/slack/slack-harness';
import { commandsDuring, dropTestDatabase, openTestDatabase } from '../support/test-database';

describe('notification delivery (stored first, delivered once)', () => {
  let database: Database;
  let clock: TestClock;

  beforeEach(async () => {
    database = await openTestDatabase('delivery', { monitorCommands: true });
    clock = new TestClock(new Date('2026-11-23T01:00:00Z'));
  });
  afterEach(() => dropTestDatabase(database));

  async function process(posted: PostedNotification[], options: { leaseWaitsForRoomMs?: number; log?: pino.Logger } = {}): Promise<{ app: App; platform: RecordingDeliverer }> {
    const app = await createApp({ database, config: buildConfig(), log: silentLogger(), now: clock.now, ...options });
    const platform = new RecordingDeliverer(posted, clock.now);
    app.jobs.notifier.register(platform);
    return { app, platform };
  }

  async function report(app: App, count: number): Promise<void> {
    const jamie = await buildActor(app, JAMIE);
    for (let i = 0; i < count; i++) cardOf(await run(app, 'incident.report', jamie, reportInput({ impact: 'high', urgency: 'medium', summary: `Outage ${i}` })));
  }

  /**
   * A process logging to `entries`, one incident reported, and its on-call page delivered, so that
   * only the report's announcement (card, line, reply) is under way when a test stops the notifier.
   */
  async function reportedWithItsPageDelivered() {
    const { log, entries } = recordingLogger();
    const app = await buildApp(database, clock, buildConfig(), log);
    const platform = new RecordingDeliverer([], clock.now);
    app.jobs.notifier.register(platform);
    const jamie = await buildActor(app, JAMIE);
    const result = await run(app, 'incident.report', jamie, reportInput({ summary: 'VPN down' }));
    await eventually(() => platform.attempts >= 1);
    await app.jobs.notifier.idle();
    return { app, platform, entries, result };
  }

  /**
   * Deliveries held up elsewhere (a platform's limits) fill the queue, 100 running and 300 waiting,
   * until `release`; then a message for `recordId` is stored, its first attempt refused as full.
   */
  async function storedWhileQueueFull(app: App, recordId: string) {
    const queue = (app.jobs.notifier as unknown as { queue: BoundedQueue }).queue;
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await fillQueue(queue, held);
    const request = { recordId, reason: 'card.v1', audience: { kind: 'person' as const, personId: 'email:jamie.song@example.com' }, view: { kind: 'card' as const, title: 'Assigned', fields: [], actions: [] } };
    await app.jobs.notifier.notify(request);
    const [stored] = await database.models.Notification.find({ recordId }).lean();
    return { queue, release, stored };
  }

  const duplicates = (posted: PostedNotification[]) => posted.length - new Set(posted.map((n) => n._id)).size;

  /** A process delivered to the platform once, long ago (none does now): its notifications are kept for it. */
  const servedOnceLongAgo = (platform: string) => database.models.ProcessBeat.create({ _id: `delivers:${platform}`, at: new Date('2026-10-01T00:00:00Z') });

  it('a process that cannot deliver to a platform stores its notifications all the same; one that can delivers them', async () => {
    const posted: PostedNotification[] = [];
    await servedOnceLongAgo('test');
    // A process with no adapter for the platform (it still knows the configuration uses it).
    const without = await buildApp(database, clock);
    without.jobs.notifier.expectPlatform('test');
    await report(without, 1);
    await runClockUntil(without, clock, '2026-11-23T01:02:00Z');
    const stored = await database.models.Notification.find({ platform: 'test' }).lean();
    expect(stored.map((n) => n.reason)).toContain('escalation.0');
    // Another process, which can deliver there, delivers them once.
    const able = await process(posted);
    await runClockUntil(able.app, clock, '2026-11-23T01:20:00Z', 2);
    expect(posted.map((n) => n._id)).toEqual(expect.arrayContaining(stored.map((n) => n._id)));
    expect(duplicates(posted)).toBe(0);
  }, 60_000);

  it('a platform no process has ever delivered to gets nothing stored (said once); from the first time one does, everything is kept for it', async () => {
    const { log, entries } = recordingLogger();
    const slackAlone = await buildApp(database, clock, buildConfig(), log);
    // The configuration names the platform; no process has ever delivered there.
    slackAlone.jobs.notifier.expectPlatform('test');
    await report(slackAlone, 2);
    await runClockUntil(slackAlone, clock, '2026-11-23T01:05:00Z');
    expect(await database.models.Notification.countDocuments({ platform: 'test' })).toBe(0);
    expect(await database.models.Timer.countDocuments({ ref: /:test#/ })).toBe(0);
    expect(entries.filter((e) => String(e.msg).startsWith('no process has ever delivered to test'))).toHaveLength(1);

    // A process delivering there starts (and beats): the next report's notifications are stored for it too, and delivered.
    const posted: PostedNotification[] = [];
    const able = await process(posted);
    await able.app.presence.beat(able.app.jobs.notifier.delivering);
    clock.set('2026-11-23T01:05:10Z');
    await report(slackAlone, 1);
    await runClockUntil(slackAlone, clock, '2026-11-23T01:08:00Z');
    const stored = await database.models.Notification.find({ platform: 'test' }).lean();
    expect(stored.map((n) => n.reason)).toContain('escalation.0');
    await runClockUntil(able.app, clock, '2026-11-23T01:12:00Z', 2);
    expect(posted.map((n) => n._id)).toEqual(expect.arrayContaining(stored.map((n) => n._id)));
  }, 60_000);

  it('with no live process delivering to a platform, its notifications wait quietly instead of going round the processes every 2 s', async () => {
    const { log, entries } = recordingLogger();
    await servedOnceLongAgo('test');
    const without = await buildApp(database, clock, buildConfig(), log);
    without.jobs.notifier.expectPlatform('test');
    await report(without, 1);
    await runClockUntil(without, clock, '2026-11-23T01:10:00Z');
    const stored = await database.models.Notification.find({ platform: 'test' }).lean();
    expect(stored.length).toBeGreaterThan(0);
    const handedOn = async (ids: string[]) =>
      (await database.models.Timer.find({ kind: 'deliver' }).lean()).filter((t) => /~\d+$/.test(t.ref) && ids.some((id) => t.ref.startsWith(`${id}#`)));
    // Each of its attempts (the first, the lease's) set aside once, for 15 minutes: in 10 minutes no second turn.
    const quiet = await handedOn(stored.map((n) => n._id));
    expect(quiet.length).toBeLessThanOrEqual(stored.length * 2);
    expect(quiet.every((t) => new Date(t.dueAt).getTime() - new Date(t.bucketAt).getTime() < 5_000 && /~1$/.test(t.ref))).toBe(true);
    expect(entries.filter((e) => String(e.msg).startsWith('no running process delivers to test'))).toHaveLength(1);
    // What one call stored waits together, in one timer a quarter of an hour on; nothing was handed on at once.
    const timers = await database.models.Timer.find({ kind: { $in: ['deliver', 'deliver-lease', 'deliver-all'] } }).lean();
    const naming = (t: { ref: string }) => t.ref.split('\n').some((ref) => stored.some((n) => ref.startsWith(`${n._id}#`)));
    expect(timers.filter((t) => naming(t) && /#1(~\d+)?$/m.test(t.ref))).toEqual([]);
    const aside = timers.filter((t) => t.kind === 'deliver-all' && naming(t) && new Date(t.dueAt).getTime() > clock.current.getTime());
    expect(aside.length).toBeGreaterThan(0);
    expect(aside.every((t) => t.ref.split('\n').every((ref) => ref.includes(':test#')))).toBe(true);

    // Once a process delivering there beats, the next notifications are handed on every 2 s, to reach it.
    await without.presence.beat(['test']);
    const jamie = await buildActor(without, JAMIE);
    const second = cardOf(await run(without, 'incident.report', jamie, reportInput({ impact: 'high', urgency: 'medium', summary: 'Outage again' })));
    await runClockUntil(without, clock, '2026-11-23T01:10:30Z');
    const fresh = await database.models.Notification.find({ platform: 'test', recordId: second.recordId }).lean();
    const busy = await handedOn(fresh.map((n) => n._id));
    expect(busy.some((t) => /~[2-9]$/.test(t.ref))).toBe(true);
  }, 60_000);

  it("a handler's notifications are stored in one write, their first attempts' outcomes in another, and their lease finds them all done in one read", async () => {
    const posted: PostedNotification[] = [];
    const { app } = await process(posted);
    const jamie = await buildActor(app, JAMIE);
    const result = await run(app, 'incident.report', jamie, reportInput({ summary: 'VPN down' }));
    const writes = await commandsDuring(database, async () => {
      await app.jobs.notifier.announce(result.announcements, { platform: 'test', user: 'U-JAMIE', requestKey: 'view:V-ONE-WRITE', views: result.views });
      await app.jobs.notifier.idle();
    });
    const stored = await database.models.Notification.find({ reason: /^(card|line|reply)\./ }).lean();
    expect(stored.map((n) => n.reason.split('.')[0]).sort()).toEqual(['card', 'line', 'reply']);
    // The new incident's page to its on-call may reach the platform meanwhile (its watch runs at once): not this handler's write.
    expect(posted.filter((p) => stored.some((n) => n._id === p._id))).toHaveLength(stored.length);
    const inserts = (collection: string) => writes.filter((c) => c.name === 'insert' && c.collection === collection);
    expect(inserts('notifications')).toHaveLength(1);
    expect(inserts('notification_attempts')).toHaveLength(1);
    expect(await database.models.NotificationAttempt.countDocuments({ _id: { $in: stored.map((n) => `${n._id}#final`) } })).toBe(stored.length);

    // Two minutes on, their lease: one read of what became of them, and nothing sent again.
    const lease = await commandsDuring(database, () => runClockUntil(app, clock, '2026-11-23T01:03:00Z'));
    const finalsRead = lease.filter((c) => c.name === 'find' && c.collection === 'notification_attempts' && JSON.stringify(c.filter).includes('#final'));
    expect(finalsRead.length).toBeLessThanOrEqual(2); // the lease's, and the escalation's own lease
    expect(duplicates(posted)).toBe(0);
  }, 60_000);

  it('a notification refused with a long wait is tried at once when woken (what it waited for has come), and delivered once', async () => {
    const posted: PostedNotification[] = [];
    const { app, platform } = await process(posted);
    platform.next.push({ kind: 'retry', afterMs: 15 * 60_000, error: 'the channel is busy', waiting: true });
    const request = { recordId: 'INC0009998', reason: 'card.v2', audience: { kind: 'person' as const, personId: 'email:jamie.song@example.com' }, view: { kind: 'card' as const, title: 'Assigned', fields: [], actions: [] } };
    await app.jobs.notifier.notify(request, { deliverNow: true });
    await runClockUntil(app, clock, '2026-11-23T01:03:00Z');
    expect(posted).toHaveLength(0);
    const [stored] = await database.models.Notification.find({ recordId: 'INC0009998' }).lean();

    await expect(app.jobs.notifier.wake(stored!._id)).resolves.toBe(true);
    await settle([app], clock);
    expect(posted.map((n) => n._id)).toEqual([stored!._id]);
    // The refusal's own timer, fifteen minutes on, finds it done; a wake of what has ended does nothing.
    await runClockUntil(app, clock, '2026-11-23T01:20:00Z', 2);
    await expect(app.jobs.notifier.wake(stored!._id)).resolves.toBe(false);
    expect(posted).toHaveLength(1);
    expect(platform.attempts).toBe(2);
  }, 60_000);

  it('a delivery made 30 s or more after it was stored is told, by audience, once a minute; one made at once is not', async () => {
    const posted: PostedNotification[] = [];
    const { log, entries } = recordingLogger();
    const { app, platform } = await process(posted, { log });
    platform.next.push({ kind: 'retry', afterMs: 90_000, error: 'the platform is down' });
    const page = { recordId: 'INC0009994', reason: 'escalation.0', audience: { kind: 'person' as const, personId: 'email:jamie.song@example.com' }, view: { kind: 'card' as const, title: 'Paged', fields: [], actions: [] } };
    await app.jobs.notifier.notify(page, { deliverNow: true });
    await app.jobs.notifier.notify({ ...page, reason: 'escalation.1' }, { deliverNow: true });
    expect(posted.map((n) => n.reason)).toEqual(['escalation.1']);
    await runClockUntil(app, clock, '2026-11-23T01:03:00Z');
    expect(posted.map((n) => n.reason)).toEqual(['escalation.1', 'escalation.0']);
    const told = entries.filter((e) => e.msg === DELIVERIES_MADE_LATE).map((e) => e.late as Record<string, { count: number; mostLateMs: number }>);
    expect(told).toHaveLength(1);
    expect(Object.keys(told[0]!)).toEqual(['person']);
    expect(told[0]!.person!.count).toBe(1);
    expect(told[0]!.person!.mostLateMs).toBeGreaterThanOrEqual(90_000);
  }, 60_000);

  it("while the delivery queue is full, a waiting message's lease reads nothing of it and comes back a lease later; with room again it is delivered once", async () => {
    const posted: PostedNotification[] = [];
    // No room comes within a lease's wait for it.
    const { app } = await process(posted, { leaseWaitsForRoomMs: 0 });
    const { queue, release, stored } = await storedWhileQueueFull(app, 'INC0009997');

    // Its lease and the lease after it: each sets the next and reads neither the message nor its attempts.
    // (The wheel ticked by hand: the notifier is not idle while the queue is full.)
    const ticks = async () => {
      for (let minute = 0; minute < 7; minute++) {
        clock.current = new Date(clock.current.getTime() + 60_000);
        await app.jobs.wheel.tickAll();
        await app.jobs.wheel.idle();
      }
    };
    const commands = await commandsDuring(database, ticks);
    expect(commands.filter((c) => c.collection === 'timers' && c.name === 'insert').length).toBeGreaterThanOrEqual(2);
    expect(commands.filter((c) => c.collection === 'notifications')).toEqual([]);
    expect(commands.filter((c) => c.collection === 'notification_attempts' && c.name === 'insert')).toEqual([]);
    expect(posted).toHaveLength(0);

    release();
    await queue.idle();
    await runClockUntil(app, clock, '2026-11-23T01:12:00Z', 2);
    expect(posted.map((n) => n._id)).toEqual([stored!._id]);
  }, 60_000);

  it('a lease meeting a full delivery queue waits for room rather than writing its next lease; room within its wait, the message is delivered then', async () => {
    const posted: PostedNotification[] = [];
    const { app } = await process(posted);
    const { release, stored } = await storedWhileQueueFull(app, 'INC0009995');

    // Its lease falls due while the queue is still full: it waits.
    clock.current = new Date(clock.current.getTime() + 3 * 60_000);
    const commands = await commandsDuring(database, async () => {
      const ticking = app.jobs.wheel.tickAll();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(posted).toHaveLength(0);
      release();
      await ticking;
      await app.jobs.notifier.idle();
    });
    // Delivered within the lease's own run: its claim and the lease of the attempt after it, and no lease written to come back.
    expect(posted.map((n) => n._id)).toEqual([stored!._id]);
    const leases = commands.filter((c) => c.collection === 'timers' && c.name === 'insert');
    expect(leases).toHaveLength(1);
    expect(commands.filter((c) => c.collection === 'notification_attempts' && c.name === 'insert').length).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('a lease meeting a refusal that asked for a longer wait steps aside even while the queue is full, instead of coming back every lease', async () => {
    const posted: PostedNotification[] = [];
    const { app, platform } = await process(posted);
    platform.next.push({ kind: 'retry', afterMs: 10 * 60_000, error: 'rate limited' });
    const request = { recordId: 'INC0009996', reason: 'card.v1', audience: { kind: 'person' as const, personId: 'email:jamie.song@example.com' }, view: { kind: 'card' as const, title: 'Assigned', fields: [], actions: [] } };
    await app.jobs.notifier.notify(request, { deliverNow: true });
    const queue = (app.jobs.notifier as unknown as { queue: BoundedQueue }).queue;
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await fillQueue(queue, held);
    const timersSet = await commandsDuring(database, async () => {
      for (let minute = 0; minute < 7; minute++) {
        clock.current = new Date(clock.current.getTime() + 60_000);
        await app.jobs.wheel.tickAll();
        await app.jobs.wheel.idle();
      }
    });
    // The lease two minutes on finds the refusal's wait not over and sets nothing; the refusal's own timer comes at ten.
    expect(timersSet.filter((c) => c.collection === 'timers' && c.name === 'insert')).toEqual([]);
    release();
    await queue.idle();
    await runClockUntil(app, clock, '2026-11-23T01:14:00Z', 2);
    expect(posted.map((n) => n.recordId)).toEqual(['INC0009996']);
  }, 60_000);

  it('a notification someone is waiting on is delivered at once by a process that can, and only once', async () => {
    const posted: PostedNotification[] = [];
    const { app } = await process(posted);
    const request = { recordId: 'INC0009999', reason: 'incident.resolved.3', audience: { kind: 'person' as const, personId: 'email:jamie.song@example.com' }, view: { kind: 'card' as const, title: 'Resolved', fields: [], actions: [] } };
    await app.jobs.notifier.notify(request, { deliverNow: true });
    // No tick has run: it went out at once.
    await eventually(() => posted.length === 1);
    await runClockUntil(app, clock, '2026-11-23T01:10:00Z', 2);
    expect(posted.map((n) => n.reason)).toEqual(['incident.resolved.3']);
  });

  it('two processes working the same wheel deliver every notification exactly once', async () => {
    const posted: PostedNotification[] = [];
    const a = await process(posted);
    const b = await process(posted);
    await report(a.app, 5);
    await report(b.app, 5);
    await runClockUntil([a.app, b.app], clock, '2026-11-23T01:40:00Z', 3);

    const stored = await database.models.Notification.find().lean();
    expect(stored.length).toBeGreaterThan(10 * 5); // pages of three levels and response warnings, for 10 incidents
    const states = await Promise.all(stored.map((n) => a.app.jobs.notifier.status(n._id)));
    expect(states.every((s) => s.state === 'delivered')).toBe(true);
    expect(posted).toHaveLength(stored.length);
    expect(duplicates(posted)).toBe(0);
    expect(a.platform.attempts).toBeGreaterThan(0);
    expect(b.platform.attempts).toBeGreaterThan(0);
  }, 60_000);

  it.each([
    ['before the platform answered', 'hang' as const, 1],
    ['after the platform had posted it', 'post-then-hang' as const, 0],
  ])('a process killed while delivering (%s): the restart delivers it once', async (_, how, resent) => {
    const posted: PostedNotification[] = [];
    const dying = await process(posted);
    dying.platform.next.push(how);
    await report(dying.app, 1);
    clock.advanceMinutes(0.2);
    await dying.app.jobs.wheel.tickAll(); // the first escalation step stores its page
    clock.advanceMinutes(0.2);
    void dying.app.jobs.wheel.tickAll(); // never finishes: the process "dies" inside the platform call
    await eventually(() => dying.platform.attempts > 0); // it has reached the platform
    expect(dying.platform.attempts).toBe(1);
    const postedByTheDead = posted.length;

    const restarted = await process(posted);
    await settle([restarted.app], clock);
    expect(restarted.platform.attempts).toBe(0); // the attempt is still leased to the dead process
    await runClockUntil(restarted.app, clock, '2026-11-23T01:04:00Z');

    expect(restarted.platform.attempts).toBe(resent);
    expect(posted).toHaveLength(1);
    expect(postedByTheDead + resent).toBe(1);
    expect((await restarted.app.jobs.notifier.status(posted[0]!._id)).state).toBe('delivered');
  });

  it.each([
    ['before the platform answered', 'hang' as const],
    ['after the platform had posted it', 'post-then-hang' as const],
  ])('a process killed between storing a request\'s card, thread line and reply and delivering them (%s): the next process delivers each exactly once', async (_, how) => {
    const posted: PostedNotification[] = [];
    const dying = await process(posted);
    dying.platform.next.push(how); // the first of the three (the card) never comes back
    const jamie = await buildActor(dying.app, JAMIE);
    const result = await run(dying.app, 'incident.report', jamie, reportInput({ impact: 'low', urgency: 'low', summary: 'Printer jam' }));
    const number = cardOf(result).recordId as string;
    await dying.app.jobs.notifier.announce(result.announcements, { platform: 'test', user: 'U-JAMIE', requestKey: 'view:V-DYING', views: result.views });
    await eventually(() => dying.platform.attempts > 0);
    const stored = await database.models.Notification.find({ reason: { $regex: '^(card|line|reply)\\.' } }).lean();
    expect(stored.map((n) => n.reason.split('.')[0]).sort()).toEqual(['card', 'line', 'reply']);

    const next = await process(posted);
    await runClockUntil(next.app, clock, '2026-11-23T01:04:00Z');
    const ours = posted.filter((n) => stored.some((s) => s._id === n._id));
    expect(ours.map((n) => n.reason.split('.')[0]).sort()).toEqual(['card', 'line', 'reply']);
    expect(duplicates(posted)).toBe(0);
    expect(ours.find((n) => n.reason.startsWith('line'))?.recordId).toBe(number);
    for (const n of stored) expect((await next.app.jobs.notifier.status(n._id)).state).toBe('delivered');
  });

  it('an attempt still under way in a live process (waiting for a busy channel) keeps its message: its lease is extended, not sent twice; once that process dies, the next one sends it', async () => {
    const posted: PostedNotification[] = [];
    const slow = await process(posted);
    slow.platform.next.push('hang'); // its first delivery never ends while it lives
    await report(slow.app, 1);
    await eventually(() => slow.platform.attempts > 0);
    const other = await process(posted);
    // Past the 2-minute lease, the slow process still beating (every 10 s): the other leaves the attempt alone.
    while (clock.now() < new Date('2026-11-23T01:04:00Z')) {
      await slow.app.intake.beat();
      clock.current = new Date(clock.current.getTime() + 10_000);
      await other.app.jobs.wheel.tickAll();
      await other.app.jobs.notifier.idle();
    }
    expect(other.platform.attempts).toBe(0);
    // It stops beating (killed): after the lease, the other sends it, once.
    await runClockUntil(other.app, clock, '2026-11-23T01:08:00Z');
    expect(other.platform.posted.map((n) => n.reason)).toContain('escalation.0');
    expect(duplicates(posted)).toBe(0);
  });

  it("waits out the platform's Retry-After, even past the attempt lease, then delivers once", async () => {
    const { app, platform } = await process([]);
    platform.next.push({ kind: 'retry', afterMs: 5 * 60_000, error: 'ratelimited' });
    await report(app, 1);
    await runClockUntil(app, clock, '2026-11-23T01:01:00Z');
    expect(platform.attempts).toBe(1);
    await runClockUntil(app, clock, '2026-11-23T01:05:30Z'); // the 2-minute lease has passed; Retry-After has not
    expect(platform.attempts).toBe(1);
    expect(platform.posted).toHaveLength(0);
    await runClockUntil(app, clock, '2026-11-23T01:07:00Z');
    expect(platform.attempts).toBe(2);
    expect(platform.posted.map((n) => n.reason)).toEqual(['escalation.0']);
  });

  it("stopping, the outcomes' write is waited for within the grace only: one that hangs (the database gone away) is left to the lease, and counted", async () => {
    const posted: PostedNotification[] = [];
    const { app } = await process(posted);
    const jamie = await buildActor(app, JAMIE);
    const result = await run(app, 'incident.report', jamie, reportInput({ summary: 'VPN down' }));
    // Every write of an outcome hangs from now on, as it does while the driver waits for a server.
    const attempts = database.models.NotificationAttempt.collection;
    const hang = () => new Promise<never>(() => undefined);
    const insertMany = jest.spyOn(attempts, 'insertMany').mockImplementation(hang);
    const insertOne = jest.spyOn(attempts, 'insertOne').mockImplementation(hang);
    try {
      await app.jobs.notifier.announce(result.announcements, { platform: 'test', user: 'U-JAMIE', requestKey: 'view:V-STOP-HANGS', views: result.views });
      // The card is posted; its outcome's write hangs (the thread line waits for where the card went).
      await eventually(() => posted.length >= 1);
      const began = Date.now();
      // Before, the stop waited for the write however long it took: here, for ever.
      const stopped = await app.jobs.notifier.stop(300);
      expect(Date.now() - began).toBeLessThan(2_000);
      expect(stopped.unrecorded).toBeGreaterThanOrEqual(1);
    } finally {
      insertMany.mockRestore();
      insertOne.mockRestore();
    }
    // Nothing of them was written: their lease, in whichever process, asks the platform.
    expect(await database.models.NotificationAttempt.countDocuments({ _id: /#final$/ })).toBe(0);
    expect(await database.models.Notification.countDocuments({ reason: /^(card|line|reply)\./ })).toBe(3);
  });

  it('stopping, a message waiting out a short Retry-After is handed back to the timer wheel: counted in what the stop returns, not logged as refused', async () => {
    const { app, platform, entries, result } = await reportedWithItsPageDelivered();
    const before = platform.attempts;
    platform.next.push({ kind: 'retry', afterMs: 5_000, error: 'ratelimited' });
    await app.jobs.notifier.announce(result.announcements, { platform: 'test', user: 'U-JAMIE', requestKey: 'view:V-STOP-HANDS-BACK', views: result.views });
    // The reply delivered, the card waiting out its Retry-After, its line waiting for the card.
    await eventually(() => platform.attempts >= before + 2);
    const began = Date.now();
    const stopped = await app.jobs.notifier.stop(2_000);
    // The wait ended with the stop, not after the 5 s the platform asked for.
    expect(Date.now() - began).toBeLessThan(2_000);
    // Each handed back is in the wheel: the card when the platform said, its line as due now; each counted once.
    const retries = await database.models.NotificationAttempt.find({ outcome: 'retry' }).lean();
    expect(retries.map((a) => a.notificationId).sort()).toEqual(['INC0001001:card.v1:card:test', 'INC0001001:line.incident.create.v1:thread:test']);
    expect(retries.filter((a) => a.error !== 'handed back: the process was stopping').map((a) => a.error)).toEqual(['ratelimited']);
    expect(stopped).toEqual({ running: 0, unrecorded: 0, handedBack: retries.length });
    expect(entries.filter((e) => Number(e.level) >= 40)).toEqual([]);
  });

  it('stopping, a refusal met meanwhile (a server error) is still logged as one, and not counted as handed back', async () => {
    const { app, platform, entries, result } = await reportedWithItsPageDelivered();
    // Every post is under way when the stop comes, and the platform then answers with an error.
    const deliver = jest.spyOn(platform, 'deliver').mockImplementation(async () => {
      platform.attempts += 1;
      await new Promise<void>((resolve) => app.jobs.notifier.stopping.addEventListener('abort', () => resolve()));
      return { kind: 'retry', error: 'HTTP 500' };
    });
    await app.jobs.notifier.announce(result.announcements, { platform: 'test', user: 'U-JAMIE', requestKey: 'view:V-STOP-REFUSED', views: result.views });
    await eventually(() => platform.attempts >= 3);
    const stopped = await app.jobs.notifier.stop(2_000);
    deliver.mockRestore();
    const refused = await database.models.NotificationAttempt.find({ error: 'HTTP 500' }).lean();
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(entries.filter((e) => e.msg === 'notification delivery refused; trying again')).toHaveLength(refused.length);
    // Only what the stop itself cut short (the card's line, never begun) counts.
    const cutShort = await database.models.NotificationAttempt.countDocuments({ error: 'handed back: the process was stopping' });
    expect(stopped.handedBack).toBe(cutShort);
  });

  it('a delivery still posting when the stop gives up ends without writing (the database is closing): its lease asks the platform, and nothing is logged as an error', async () => {
    const { app, platform, entries, result } = await reportedWithItsPageDelivered();
    let answer = () => {};
    const answered = new Promise<void>((resolve) => (answer = resolve));
    // The platform takes longer than the stop's grace to answer (Slack slow): the card is posted late.
    const deliver = jest.spyOn(platform, 'deliver').mockImplementation(async (notification) => {
      platform.attempts += 1;
      await answered;
      platform.posted.push({ ...notification, deliveredAt: clock.now() });
      return { kind: 'delivered' };
    });
    await app.jobs.notifier.announce(result.announcements, { platform: 'test', user: 'U-JAMIE', requestKey: 'view:V-STOP-GIVES-UP', views: result.views });
    await eventually(() => platform.attempts >= 3);
    const stopped = await app.jobs.notifier.stop(200);
    expect(stopped.running).toBeGreaterThanOrEqual(1);
    const attemptsBefore = await database.models.NotificationAttempt.countDocuments();
    answer();
    await app.jobs.notifier.idle();
    deliver.mockRestore();
    // The card and the reply posted (beside the page before), but nothing written after the stop
    // gave up; the card's line was never begun.
    expect(platform.posted).toHaveLength(3);
    expect(platform.attempts).toBe(3);
    expect(await database.models.NotificationAttempt.countDocuments()).toBe(attemptsBefore);
    expect(entries.filter((e) => Number(e.level) >= 50)).toEqual([]);
  });

  it('backs off after server errors and records a permanent failure without retrying it', async () => {
    const { app, platform } = await process([]);
    platform.next.push({ kind: 'retry', error: 'HTTP 500' }, { kind: 'retry', error: 'HTTP 503' }, { kind: 'failed', error: 'channel_not_found' });
    await report(app, 1);
    await runClockUntil(app, clock, '2026-11-23T01:05:00Z');
    expect(platform.attempts).toBe(3);
    const [page] = await database.models.Notification.find({ reason: 'escalation.0' }).lean();
    expect(await app.jobs.notifier.status(page!._id)).toEqual({ state: 'failed', attempts: 3, lastError: 'channel_not_found' });
    await runClockUntil(app, clock, '2026-11-23T01:20:00Z');
    expect(platform.attempts).toBeGreaterThan(3); // later notifications (the next level) still go out
    expect(platform.posted.some((n) => n.reason === 'escalation.0')).toBe(false);
  });
});

/**
 * Fills a delivery queue as a backlog does: every place taken by a task waiting for `held`, and
 * as many waiting to begin as it takes. Topped up turn by turn, since a queue under a gate begins
 * a share of its tasks in each turn of the event loop.
 */
async function fillQueue(queue: BoundedQueue, held: Promise<void>): Promise<void> {
  let offered: number;
  do {
    offered = 0;
    while (!queue.full) offered += Number(queue.offer(() => held));
    await nextTurn();
  } while (offered > 0);
}
