import type { Database } from '../../../src/db/connect';
import { Intake } from '../../../src/services/intake';
import { TestClock, recordingLogger, silentLogger } from '../../support/factories';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

describe('the intake: acknowledged requests replayed once when their process dies (real database)', () => {
  let database: Database;
  let clock: TestClock;
  const timing = { beatEveryMs: 10_000, deadAfterMs: 30_000 };

  beforeEach(async () => {
    database = await openTestDatabase('intake');
    clock = new TestClock(new Date('2026-11-23T01:00:00Z'));
  });
  afterEach(() => dropTestDatabase(database));

  const processOf = (log = silentLogger()) => new Intake(database.models, clock.now, log, timing);

  it("leaves a live process's requests alone, and replays those of one that stopped beating, once, however many look", async () => {
    const dead = processOf();
    const others = [processOf(), processOf(), processOf()];
    const replayed: string[] = [];
    for (const other of others) other.onReplay('slack', async (payload) => void replayed.push(payload));
    await dead.beat();
    expect(await dead.accept('slack', 'view_submission:1', 'report 1')).toBe(true);
    expect(await dead.accept('slack', 'view_submission:1', 'report 1 again')).toBe(false);

    // Still beating (10 s ago): nobody touches its work.
    clock.current = new Date(clock.current.getTime() + 10_000);
    expect(await Promise.all(others.map((o) => o.reconcile()))).toEqual([0, 0, 0]);

    // Silent for more than 30 s: taken over by exactly one of the three reconciling at once.
    clock.current = new Date(clock.current.getTime() + 31_000);
    const counts = await Promise.all(others.map((o) => o.reconcile()));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(replayed).toEqual(['report 1']);
    expect(await database.models.Intake.countDocuments()).toBe(0);
  });

  it('a request done by its own process is never replayed', async () => {
    const first = processOf();
    const other = processOf();
    const replayed: string[] = [];
    other.onReplay('slack', async (payload) => void replayed.push(payload));
    await first.accept('slack', 'block_actions:1', 'click');
    await first.done('slack', 'block_actions:1');
    clock.current = new Date(clock.current.getTime() + 60_000);
    expect(await other.reconcile()).toBe(0);
    expect(replayed).toEqual([]);
  });

  it('a process stopping cleanly hands over at once what it could not finish', async () => {
    const stopping = processOf();
    const other = processOf();
    const replayed: string[] = [];
    other.onReplay('slack', async (payload) => void replayed.push(payload));
    await stopping.beat();
    await stopping.accept('slack', 'view_submission:2', 'report 2');
    await stopping.stop({ handOver: true });
    expect(await other.reconcile()).toBe(1);
    expect(replayed).toEqual(['report 2']);
  });

  it('stopping during a long reconciliation: the replay under way finishes, the rest are left to the next process', async () => {
    const dead = processOf();
    await dead.beat();
    for (const n of [1, 2, 3]) await dead.accept('slack', `view_submission:${n}`, `report ${n}`);
    clock.current = new Date(clock.current.getTime() + 31_000);
    const stopping = processOf();
    const replayed: string[] = [];
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let begun = () => {};
    const firstBegun = new Promise<void>((resolve) => (begun = resolve));
    stopping.onReplay('slack', async (payload) => {
      replayed.push(payload);
      begun();
      await released;
    });
    const reconciling = stopping.reconcile();
    await firstBegun;
    const stopped = stopping.stop({ handOver: false });
    release();
    await stopped;
    expect(await reconciling).toBe(1);
    expect(replayed).toHaveLength(1);
    expect(await database.models.Intake.countDocuments()).toBe(2);

    const next = processOf();
    const replayedNext: string[] = [];
    next.onReplay('slack', async (payload) => void replayedNext.push(payload));
    expect(await next.reconcile()).toBe(2);
    expect([...replayed, ...replayedNext].sort()).toEqual(['report 1', 'report 2', 'report 3']);
  });

  it('a process that has not beaten yet (just starting) keeps its fresh requests; a stop with work unfinished hands over only once its beat is old', async () => {
    const starting = processOf();
    const other = processOf();
    const replayed: string[] = [];
    other.onReplay('slack', async (payload) => void replayed.push(payload));
    await starting.accept('slack', 'view_submission:4', 'report 4');
    expect(await other.reconcile()).toBe(0);
    await starting.beat();
    await starting.stop({ handOver: false });
    clock.current = new Date(clock.current.getTime() + 20_000);
    expect(await other.reconcile()).toBe(0);
    clock.current = new Date(clock.current.getTime() + 11_000);
    expect(await other.reconcile()).toBe(1);
    expect(replayed).toEqual(['report 4']);
  });

  it('a replay that fails is tried again later and later, and given up after six attempts with an error logged', async () => {
    const dead = processOf();
    const { log, entries } = recordingLogger();
    const other = processOf(log);
    let attempts = 0;
    other.onReplay('slack', async () => {
      attempts += 1;
      throw new Error('Slack is down');
    });
    await dead.beat();
    await dead.accept('slack', 'view_submission:3', 'report 3');
    clock.current = new Date(clock.current.getTime() + 31_000);
    // Back-off: nothing before the wait is over.
    await other.reconcile();
    await other.reconcile();
    expect(attempts).toBe(1);
    for (let i = 0; i < 10; i++) {
      clock.current = new Date(clock.current.getTime() + 200_000);
      await other.reconcile();
    }
    expect(attempts).toBe(6);
    expect(entries.filter((e) => e.msg === 'gave up replaying an acknowledged request')).toHaveLength(1);
    expect((await database.models.Intake.findById('slack:view_submission:3').lean())?.owner).toBe('gave-up');
  });
});
