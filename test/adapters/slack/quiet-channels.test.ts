import { QuietChannels } from '../../../adapters/slack/quiet-channels';
import type { App } from '../../../src/app';
import type { Database } from '../../../src/db/connect';
import type { Pacer } from '../../../src/services/pacing';
import { SlotLogs } from '../../../src/services/slot-log';
import { TestClock, buildApp } from '../../support/factories';
import { runClockUntil } from '../../support/job-clock';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

describe("changes waiting for a backed-up channel to be quiet, tried by the channel's one check (real database and timer wheel)", () => {
  let database: Database;
  let clock: TestClock;
  let app: App;
  let busy: boolean;
  let woken: string[];
  let wokenAt: number[];
  let ended: Set<string>;
  let quiet: QuietChannels;

  beforeEach(async () => {
    database = await openTestDatabase('quiet_channels');
    clock = new TestClock(new Date('2026-11-23T01:00:00Z'));
    app = await buildApp(database, clock);
    busy = true;
    woken = [];
    wokenAt = [];
    ended = new Set();
    quiet = new QuietChannels({
      logs: new SlotLogs(database.models.QuietWait, clock.now),
      wheel: app.jobs.wheel,
      // The channel's backlog, as its turns would say.
      pacer: { backlogBeyond: async () => busy } as unknown as Pacer,
      coalesceAfterMs: 5_000,
      wake: async (id) => {
        if (ended.has(id)) return false;
        woken.push(id);
        wokenAt.push(clock.current.getTime());
        ended.add(id);
        return true;
      },
      now: clock.now,
    });
  });
  afterEach(() => dropTestDatabase(database));

  const waitAll = async (ids: string[]) => {
    for (const id of ids) await quiet.wait('T0WS', 'C0DESK', id);
  };
  const checksSet = () => database.models.Timer.countDocuments({ kind: 'slack.quiet-check' });

  it('while the channel is busy nothing is tried, and one check is set however many wait; once quiet, each is tried once, a few at a time', async () => {
    await waitAll(['n1', 'n2', 'n3']);
    expect(await checksSet()).toBe(1);
    await runClockUntil(app, clock, '2026-11-23T01:05:00Z');
    expect(woken).toEqual([]);

    busy = false;
    await waitAll(['n4', 'n5', 'n6', 'n7', 'n8', 'n9', 'n10']);
    await runClockUntil(app, clock, '2026-11-23T01:07:00Z', 0.25);
    expect(woken).toEqual(['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9', 'n10']);
    // Five in one round; the next five once their posts would have gone, seconds later.
    expect(new Set(wokenAt.slice(0, 5)).size).toBe(1);
    expect(wokenAt[5]! - wokenAt[4]!).toBeGreaterThanOrEqual(5_000);
    expect(await checksSet()).toBeLessThanOrEqual(12); // one every 30 s while busy, then a round or two
  }, 60_000);

  it('a change that has ended meanwhile is passed over, and a change noted after the check ended sets a new one that goes on from where it stopped', async () => {
    await waitAll(['a1', 'a2']);
    ended.add('a1');
    busy = false;
    await runClockUntil(app, clock, '2026-11-23T01:02:00Z', 0.25);
    expect(woken).toEqual(['a2']);

    busy = true;
    await waitAll(['a3']);
    await runClockUntil(app, clock, '2026-11-23T01:04:00Z', 0.25);
    expect(woken).toEqual(['a2']);
    busy = false;
    await runClockUntil(app, clock, '2026-11-23T01:06:00Z', 0.25);
    expect(woken).toEqual(['a2', 'a3']);
  }, 60_000);
});
