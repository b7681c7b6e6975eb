import type { Database } from '../../../src/db/connect';
import { claimKey } from '../../../src/services/record-keys';
import { claimNextNumber, ensureNumberSeries } from '../../../src/services/number-series';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

type NumberSeriesModule = typeof import('../../../src/services/number-series');

/** A second copy of the module: its own in-process reservations, as another opsdesk process has. */
function anotherProcess(): NumberSeriesModule {
  let copy: NumberSeriesModule | undefined;
  jest.isolateModules(() => {
    copy = jest.requireActual<NumberSeriesModule>('../../../src/services/number-series');
  });
  return copy as NumberSeriesModule;
}

describe('number series (against the MongoDB-compatible server)', () => {
  let database: Database;
  const claim = (number: string) => claimKey(database.models.RecordKey, `number:${number}`, number);

  beforeAll(async () => {
    database = await openTestDatabase('numbers');
    await ensureNumberSeries(database.models.Counter);
  });
  afterAll(() => dropTestDatabase(database));

  it('starts at 0001001', async () => {
    expect(await claimNextNumber(database.models.Counter, 'PRB', claim)).toBe('PRB0001001');
  });

  it('gives 50 concurrent claims in one process 50 distinct consecutive numbers', async () => {
    const numbers = await Promise.all(Array.from({ length: 50 }, () => claimNextNumber(database.models.Counter, 'REQ', claim)));
    const seqs = numbers.map((n) => Number(n.slice(3))).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(50);
    expect(seqs[49]! - seqs[0]!).toBe(49);
  });

  it('never hands the same number to two processes claiming at once', async () => {
    const other = anotherProcess();
    const numbers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0 ? claimNextNumber(database.models.Counter, 'CHG', claim) : other.claimNextNumber(database.models.Counter, 'CHG', claim),
      ),
    );
    expect(new Set(numbers).size).toBe(40);
    const seqs = numbers.map((n) => Number(n.slice(3))).sort((a, b) => a - b);
    expect(seqs[39]! - seqs[0]!).toBe(39);
  });

  it('skips numbers another process took while this one was not looking', async () => {
    const first = await claimNextNumber(database.models.Counter, 'KB', claim);
    const other = anotherProcess();
    const taken = await Promise.all(Array.from({ length: 12 }, () => other.claimNextNumber(database.models.Counter, 'KB', claim)));
    const next = await claimNextNumber(database.models.Counter, 'KB', claim);
    expect([first, ...taken]).not.toContain(next);
    expect(Number(next.slice(2))).toBe(Number(first.slice(2)) + 13);
  });
});
