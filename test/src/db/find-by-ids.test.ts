import { connectDatabase, type Database } from '../../../src/db/connect';
import { findByIdTogether, findByIds, findByIdsTogether, listServedByIndex, planUsesIndex } from '../../../src/db/find-by-ids';
import { eventually } from '../../support/eventually';
import { commandsDuring, dropTestDatabase, openTestDatabase, testDatabaseUri } from '../../support/test-database';

const entry = (n: number) => ({ _id: `ids-test:${n}`, list: 'ids-test', n, recordId: `R${n}`, version: 1, at: new Date() });

describe('documents found by a list of _ids (real database)', () => {
  let database: Database;

  beforeAll(async () => {
    database = await openTestDatabase('find_by_ids', { monitorCommands: true });
  });
  afterAll(() => dropTestDatabase(database));

  it('a collection the storage does not have yet is read one _id at a time: nothing found, in the order asked', async () => {
    // The lists' snapshots have no secondary index: their table is made by their first insert.
    const reads = await commandsDuring(database, async () => expect(await findByIds(database.models.ListSnapshot, ['ids-test:1', 'ids-test:2'])).toEqual([null, null]));
    expect(reads.map((c) => [c.name, c.filter])).toEqual([
      ['explain', undefined],
      ['find', { _id: 'ids-test:1' }],
      ['find', { _id: 'ids-test:2' }],
    ]);
  });

  it('on the embedded server a list is one find, pushed down and searched through the index on _id, whatever the collection holds', async () => {
    await database.models.ListEntry.insertMany(Array.from({ length: 1200 }, (_, i) => entry(i + 1)));
    // The query plan, from a connection opened once the table and its index exist.
    await eventually(async () => {
      const fresh = await connectDatabase(testDatabaseUri(), database.connection.name);
      try {
        const explained = (await fresh.models.ListEntry.find({ _id: { $in: ['ids-test:5', 'ids-test:1100'] } }).explain('queryPlanner').exec()) as unknown as {
          filterPushdown: boolean;
          queryPlanner: { Plan: string[] };
        };
        expect(explained.filterPushdown).toBe(true);
        return /SEARCH record_list_entries\S* USING INDEX record_list_entries\S*_opsdesk_id/.test(explained.queryPlanner.Plan.join('\n'));
      } finally {
        await fresh.close();
      }
    }, 10_000);
    expect(await listServedByIndex(database.models.ListEntry)).toBe(true);

    const reads = await commandsDuring(database, async () => {
      const found = await findByIds(database.models.ListEntry, ['ids-test:7', 'ids-test:none', 'ids-test:3', 'ids-test:7']);
      expect(found.map((e) => e?.recordId ?? null)).toEqual(['R7', null, 'R3', 'R7']);
    });
    expect(reads.map((c) => [c.name, c.filter])).toEqual([['find', { _id: { $in: ['ids-test:7', 'ids-test:none', 'ids-test:3'] } }]]);
  }, 20_000);

  it('a long list is read 500 _ids a find, each in one reply, and each document comes back where it was asked', async () => {
    const ids = Array.from({ length: 1200 }, (_, i) => `ids-test:${1200 - i}`);
    let found: Awaited<ReturnType<typeof findByIds>> = [];
    const reads = await commandsDuring(database, async () => (found = await findByIds(database.models.ListEntry, ids, { recordId: 1 })));
    expect(reads.map((c) => [c.name, (c.filter as { _id?: { $in: string[] } } | undefined)?._id?.$in.length])).toEqual([
      ['find', 500],
      ['find', 500],
      ['find', 200],
    ]);
    expect(found.map((e) => (e as { recordId: string }).recordId)).toEqual(ids.map((id) => `R${id.split(':')[1]}`));
  });

  it('reads asked by several callers in the same turn go as one find; each caller gets its own, in its order, and a copy of what another also asked', async () => {
    let results: unknown[] = [];
    const reads = await commandsDuring(database, async () => {
      results = await Promise.all([
        findByIdsTogether(database.models.ListEntry, ['ids-test:9', 'ids-test:8']),
        findByIdTogether(database.models.ListEntry, 'ids-test:none'),
        // A caller joining after an await, still within the turn.
        Promise.resolve().then(() => findByIdTogether(database.models.ListEntry, 'ids-test:9')),
      ]);
    });
    expect(reads.map((c) => [c.name, c.filter])).toEqual([['find', { _id: { $in: ['ids-test:9', 'ids-test:8', 'ids-test:none'] } }]]);
    const [pair, none, again] = results as [{ recordId: string }[], null, { recordId: string; at: Date }];
    expect(pair.map((e) => e.recordId)).toEqual(['R9', 'R8']);
    expect(none).toBeNull();
    expect(again).toEqual(pair[0]);
    expect(again).not.toBe(pair[0]);
    expect(again.at).toBeInstanceOf(Date);

    // Reads asked in another turn are another find.
    const later = await commandsDuring(database, async () => {
      await findByIdTogether(database.models.ListEntry, 'ids-test:1');
      await findByIdTogether(database.models.ListEntry, 'ids-test:2');
    });
    expect(later.map((c) => c.filter)).toEqual([{ _id: 'ids-test:1' }, { _id: 'ids-test:2' }]);
  });

  it('a read that fails fails for every caller that joined it', async () => {
    const broken = database.models.ListEntry;
    const find = jest.spyOn(broken, 'find').mockImplementation(() => {
      throw new Error('the server went away');
    });
    try {
      const asked = [findByIdsTogether(broken, ['ids-test:1', 'ids-test:2']), findByIdsTogether(broken, ['ids-test:3', 'ids-test:4'])];
      await expect(asked[0]).rejects.toThrow('the server went away');
      await expect(asked[1]).rejects.toThrow('the server went away');
    } finally {
      find.mockRestore();
    }
    expect((await findByIdTogether(broken, 'ids-test:1'))?.recordId).toBe('R1');
  });
});

describe('whether a storage serves a list of _ids by index, from its plan', () => {
  it('FerretDB: only where it pushes the filter down (its own SQLite storage does not; the embedded server does)', () => {
    expect(planUsesIndex({ queryPlanner: { Plan: ['id=2 parent=0 notused=0 detail=SCAN incidents_1'] }, filterPushdown: false })).toBe(false);
    expect(planUsesIndex({ queryPlanner: { Plan: ['id=3 parent=0 notused=0 detail=SEARCH incidents_1 USING INDEX incidents_1_opsdesk_id (<expr>=?)'] }, filterPushdown: true })).toBe(true);
    // A collection it does not have: no plan, nothing pushed down.
    expect(planUsesIndex({ queryPlanner: {}, filterPushdown: false })).toBe(false);
  });

  it('MongoDB: where the winning plan reads an index, not the whole collection', () => {
    expect(planUsesIndex({ queryPlanner: { winningPlan: { stage: 'FETCH', inputStage: { stage: 'IXSCAN', indexName: '_id_' } } } })).toBe(true);
    expect(planUsesIndex({ queryPlanner: { winningPlan: { stage: 'COLLSCAN' } } })).toBe(false);
    expect(planUsesIndex(undefined)).toBe(false);
  });
});
