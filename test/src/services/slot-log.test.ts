import type { Database } from '../../../src/db/connect';
import { SlotLogs } from '../../../src/services/slot-log';
import { commandsDuring, dropTestDatabase, openTestDatabase } from '../../support/test-database';

describe('append-only logs read by _id', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase('slot-log');
  });
  afterAll(() => dropTestDatabase(database));

  it('appends from two processes at once without losing or repeating an entry, and finds the end', async () => {
    const first = new SlotLogs(database.models.WebLog, () => new Date());
    const second = new SlotLogs(database.models.WebLog, () => new Date());
    const slots = await Promise.all(Array.from({ length: 80 }, (_, i) => (i % 2 ? first : second).append('two', `entry ${i}`)));
    expect([...slots].sort((a, b) => a - b)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    const fresh = new SlotLogs(database.models.WebLog, () => new Date());
    expect(await fresh.end('two')).toBe(80);
    const all = await fresh.after<string>('two', 0);
    expect(all.map((e) => e.n)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    expect(new Set(all.map((e) => e.body)).size).toBe(80);
    expect((await fresh.last<string>('two', 5)).map((e) => e.n)).toEqual([76, 77, 78, 79, 80]);
    expect(await fresh.after('two', 80)).toEqual([]);
    expect(await fresh.end('empty')).toBe(0);
  });

  it('reads the end of a long log by _id alone, in a handful of lookups', async () => {
    const logs = new SlotLogs(database.models.WebLog, () => new Date());
    for (let i = 0; i < 300; i++) await logs.append('long', i);
    const reader = new SlotLogs(database.models.WebLog, () => new Date());
    const commands = await commandsDuring(database, () => reader.last('long', 3));
    expect(commands.every((c) => c.name === 'find' && Object.keys(c.filter as object).join() === '_id')).toBe(true);
    // The head hint (every 32nd) leaves at most a gallop and a halving over 32 slots, and the 3 entries read.
    expect(commands.length).toBeLessThanOrEqual(1 + 2 * 6 + 4);
  });
});
