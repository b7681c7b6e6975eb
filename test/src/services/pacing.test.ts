import type { Database } from '../../../src/db/connect';
import { OutdoneByNewerEdit, Pacer, type TurnHolder } from '../../../src/services/pacing';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

describe('turns within a platform limit, shared by every process (real database)', () => {
  let database: Database;
  let nowMs = 0;
  beforeEach(async () => {
    database = await openTestDatabase('pacing');
    nowMs = 1_800_000_000_000;
  });
  afterEach(() => dropTestDatabase(database));

  const channel = { key: 'slack:ws:post:C1', intervalMs: 1000, burst: 2 };

  it('two processes taking turns for one channel never share one; after the burst each waits a turn more', async () => {
    const a = new Pacer(database.models, () => nowMs);
    const b = new Pacer(database.models, () => nowMs);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) waits.push((await (i % 2 === 0 ? a : b).take(channel)).waitMs);
    expect(waits).toEqual([0, 0, 1000, 2000, 3000, 4000]);
    expect(await database.models.PaceSlot.countDocuments()).toBe(6);
  });

  it('taken at the same moment by both, the turns are still all different', async () => {
    const a = new Pacer(database.models, () => nowMs);
    const b = new Pacer(database.models, () => nowMs);
    const taken = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).take(channel)));
    expect(taken.every((t) => t.taken)).toBe(true);
    // Each took a turn of its own (one document each), at most the burst of them at once.
    expect(await database.models.PaceSlot.countDocuments()).toBe(10);
    const waits = taken.map((t) => t.waitMs);
    expect(waits.filter((w) => w === 0)).toHaveLength(2);
    expect(new Set(waits.filter((w) => w > 0)).size).toBe(8);
  });

  it('a turn further off than the caller may wait is not taken (nor wasted), and the backlog says so', async () => {
    const pacer = new Pacer(database.models, () => nowMs);
    for (let i = 0; i < 10; i++) await pacer.take(channel);
    expect(await pacer.backlogBeyond(channel, 5_000)).toBe(true);
    expect(await pacer.backlogBeyond(channel, 20_000)).toBe(false);
    expect(await pacer.take(channel, 5_000)).toEqual({ taken: false, waitMs: 9_000 });
    expect(await database.models.PaceSlot.countDocuments()).toBe(10);
    // Another process, which took no turn itself, sees the same backlog.
    expect(await new Pacer(database.models, () => nowMs).backlogBeyond(channel, 5_000)).toBe(true);
    nowMs += 10_000;
    expect(await pacer.take(channel, 5_000)).toEqual({ taken: true, waitMs: 0 });
  });

  it('a holder whose turn is far off has it reserved: it comes back then and goes at once, and nobody else takes it', async () => {
    const pacer = new Pacer(database.models, () => nowMs);
    for (let i = 0; i < 10; i++) await pacer.take(channel);
    // Without a holder nothing is taken; with one, the next free turn (10 s off) is its own.
    expect(await pacer.waitForTurn(channel, 5_000)).toEqual({ ready: false, waitMs: 9_000 });
    expect(await pacer.waitForTurn(channel, 5_000, undefined, { id: 'delivery-1', again: false })).toEqual({ ready: false, waitMs: 9_000 });
    // Asked again early, it is still 9 s off; another caller's turn comes after it.
    expect(await pacer.waitForTurn(channel, 5_000, undefined, { id: 'delivery-1', again: true })).toEqual({ ready: false, waitMs: 9_000 });
    expect(await pacer.waitForTurn(channel, 5_000, undefined, { id: 'delivery-2', again: false })).toEqual({ ready: false, waitMs: 10_000 });
    // In another process, at its turn (a few seconds late, as a timer is): it goes at once.
    nowMs += 12_000;
    const elsewhere = new Pacer(database.models, () => nowMs);
    expect(await elsewhere.waitForTurn(channel, 5_000, undefined, { id: 'delivery-1', again: true })).toEqual({ ready: true, waitMs: 0 });
    // Its reservation is used up: a next call takes a turn like anyone.
    expect(await database.models.PaceSlot.findById(`hold:${channel.key}:delivery-1`).lean()).toBeNull();
    expect(await database.models.PaceSlot.findById(`hold:${channel.key}:delivery-2`).lean()).not.toBeNull();
  });
  it('holders coming back together long after their turns (a busy or restarted process) do not all go at once: no more than the burst', async () => {
    const pacer = new Pacer(database.models, () => nowMs);
    for (let i = 0; i < 10; i++) await pacer.take(channel);
    // Five deliveries, each holding a turn 10-14 s off.
    for (let i = 0; i < 5; i++) await pacer.waitForTurn(channel, 5_000, undefined, { id: `late-${i}`, again: false });
    // They come back 30 s later, all in the same moment, in another process.
    nowMs += 30_000;
    const elsewhere = new Pacer(database.models, () => nowMs);
    // (Waiting for nothing: those whose turn is not now are told when it is.)
    const now = await Promise.all(Array.from({ length: 5 }, (_, i) => elsewhere.waitForTurn(channel, 0, undefined, { id: `late-${i}`, again: true })));
    expect(now.filter((r) => r.ready)).toHaveLength(channel.burst);
    expect(now.filter((r) => !r.ready).map((r) => r.waitMs).sort()).toEqual([1_000, 2_000, 3_000]);
  });

  it('callers woken long after their turns (a stalled process) take new turns rather than all going at once', async () => {
    const fast = { key: 'slack:ws:post:C2', intervalMs: 200, burst: 2 };
    const pacer = new Pacer(database.models, () => nowMs);
    const waiting = Array.from({ length: 5 }, () => pacer.waitForTurn(fast, 5_000));
    // The first two go at once (the burst); the other three sleep until turns 200, 400 and 600 ms off…
    await new Promise((r) => setTimeout(r, 100));
    // …and wake 30 s later by the clock, as after a stall.
    nowMs += 30_000;
    const results = await Promise.all(waiting);
    expect(results.every((r) => r.ready)).toBe(true);
    // The three late ones each took a turn of the present: at most the burst at once, the third a turn later.
    expect(results.slice(2).map((r) => r.waitMs)).toEqual([0, 0, 200]);
    expect(await database.models.PaceSlot.countDocuments()).toBe(8);
  });

  const editOf = (version: number): TurnHolder => ({ id: 'edit:card-1', again: true, edit: { by: `delivery-v${version}`, version } });

  it('the edits of one thing share its held turn: a newer one takes it over, an older one is outdone', async () => {
    const pacer = new Pacer(database.models, () => nowMs);
    for (let i = 0; i < 10; i++) await pacer.take(channel);
    expect(await pacer.waitForTurn(channel, 5_000, undefined, editOf(1))).toEqual({ ready: false, waitMs: 9_000 });
    expect(await pacer.waitForTurn(channel, 5_000, undefined, editOf(2))).toEqual({ ready: false, waitMs: 9_000 });
    expect(await database.models.PaceSlot.countDocuments()).toBe(12); // ten turns, the held one, its hold
    await expect(pacer.waitForTurn(channel, 5_000, undefined, editOf(1))).rejects.toBeInstanceOf(OutdoneByNewerEdit);
    // At the turn, in another process: the newest goes, and the hold is used up.
    nowMs += 9_000;
    expect(await new Pacer(database.models, () => nowMs).waitForTurn(channel, 5_000, undefined, editOf(2))).toEqual({ ready: true, waitMs: 0 });
    expect(await database.models.PaceSlot.findById(`hold:${channel.key}:edit:card-1`).lean()).toBeNull();
  });

  it('a newer edit finding the held turn used as it takes it over takes a turn of its own, never the same one', async () => {
    const pacer = new Pacer(database.models, () => nowMs);
    for (let i = 0; i < 10; i++) await pacer.take(channel);
    await pacer.waitForTurn(channel, 5_000, undefined, editOf(1));
    // The older edit's turn comes (its hold deleted, the turn used) between the newer one's reading the hold and taking it over.
    const hold = `hold:${channel.key}:edit:card-1`;
    const { PaceSlot } = database.models;
    const update = PaceSlot.updateOne.bind(PaceSlot);
    const spy = jest.spyOn(PaceSlot, 'updateOne').mockImplementationOnce(((filter: never, change: never, options: never) =>
      PaceSlot.deleteOne({ _id: hold }).then(() => update(filter, change, options))) as never);
    try {
      expect(await pacer.waitForTurn(channel, 5_000, undefined, editOf(2))).toEqual({ ready: false, waitMs: 10_000 });
    } finally {
      spy.mockRestore();
    }
    expect(await database.models.PaceSlot.findById(hold).lean()).toMatchObject({ by: 'delivery-v2', version: 2 });
  });

  it('two edits each believing the held turn theirs (a takeover crossing the going) never both go at it', async () => {
    const pacer = new Pacer(database.models, () => nowMs);
    for (let i = 0; i < 10; i++) await pacer.take(channel);
    await pacer.waitForTurn(channel, 5_000, undefined, editOf(1));
    const hold = `hold:${channel.key}:edit:card-1`;
    const turnAt = (await database.models.PaceSlot.findById(hold).lean())!.turnAt!;
    nowMs = turnAt.getTime();
    // The second edit takes the turn over and goes at it.
    expect(await pacer.waitForTurn(channel, 5_000, undefined, editOf(2))).toEqual({ ready: true, waitMs: 0 });
    // A takeover written just before that going deleted the hold: its edit still believes the turn its own.
    const crossing = (version: number) =>
      database.models.PaceSlot.updateOne({ _id: hold }, { $set: { turnAt, until: new Date(turnAt.getTime() + 1000), by: `delivery-v${version}`, version } }, { upsert: true });
    await crossing(1);
    await expect(pacer.waitForTurn(channel, 5_000, undefined, editOf(1))).rejects.toBeInstanceOf(OutdoneByNewerEdit);
    // A newer one takes the next turn instead of the same.
    await crossing(3);
    expect(await pacer.waitForTurn(channel, 5_000, undefined, editOf(3))).toEqual({ ready: true, waitMs: 1_000 });
  });
});

