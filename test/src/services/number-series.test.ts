import type { Database } from '../../../src/db/connect';
import { ensureNumberSeries, nextNumber } from '../../../src/services/number-series';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

describe('number series (against the MongoDB-compatible server)', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase('numbers');
  });
  afterAll(() => dropTestDatabase(database));

  it('starts at INC0001001', async () => {
    await ensureNumberSeries(database.models.Counter);
    expect(await nextNumber(database.models.Counter, database.models.RecordKey, 'PRB', 'test')).toBe('PRB0001001');
  });

  it('gives 50 concurrent creates 50 distinct consecutive numbers', async () => {
    const numbers = await Promise.all(Array.from({ length: 50 }, () => nextNumber(database.models.Counter, database.models.RecordKey, 'INC', 'test')));
    const seqs = numbers.map((n) => Number(n.slice(3))).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(50);
    expect(seqs[49]! - seqs[0]!).toBe(49);
  });

  it('creates a missing series on first use, also when two processes race to create it', async () => {
    await database.models.Counter.deleteOne({ _id: 'CHG' });
    const numbers = await Promise.all(Array.from({ length: 10 }, () => nextNumber(database.models.Counter, database.models.RecordKey, 'CHG', 'test')));
    expect(new Set(numbers).size).toBe(10);
  });
});
