import { retryWhileBusy } from '../../../src/db/retry-while-busy';

describe('retryWhileBusy', () => {
  it('tries a write again while the storage answers SQLITE_BUSY, then returns its result', async () => {
    let attempts = 0;
    const result = await retryWhileBusy(async () => {
      attempts++;
      if (attempts < 3) throw new Error('[db.go:134 fsql.(*DB).InTransaction] database is locked (5) (SQLITE_BUSY)');
      return 'written';
    });
    expect([result, attempts]).toEqual(['written', 3]);
  });

  it('passes any other error on at once', async () => {
    let attempts = 0;
    const duplicate = Object.assign(new Error('E11000 duplicate key error'), { code: 11000 });
    await expect(
      retryWhileBusy(async () => {
        attempts++;
        throw duplicate;
      }),
    ).rejects.toBe(duplicate);
    expect(attempts).toBe(1);
  });

  it('gives up after a bounded number of tries', async () => {
    let attempts = 0;
    await expect(
      retryWhileBusy(async () => {
        attempts++;
        throw new Error('database is locked (5) (SQLITE_BUSY)');
      }),
    ).rejects.toThrow(/SQLITE_BUSY/);
    expect(attempts).toBe(12);
  });
});
