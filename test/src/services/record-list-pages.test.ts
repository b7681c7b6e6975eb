import type { Database } from '../../../src/db/connect';
import type { ListedRecord } from '../../../src/models/record-list.model';
import { packRecords, unpackPage } from '../../../src/models/record-list.model';
import { PAGE_MAX, type ListOrder } from '../../../src/services/list-pages';
import { RecordLists } from '../../../src/services/record-lists';
import { commandsDuring, dropTestDatabase, openAgain, openTestDatabase } from '../../support/test-database';

const PRIORITIES = ['P1', 'P2', 'P3', 'P4'];
const OPENED = Date.parse('2026-11-01T00:00:00Z');

/** A small, seeded generator: the same changes on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** What a list holds after these changes, worked out the plain way: each record at its highest version (a later change wins a tie). */
function expected(changes: readonly Omit<ListedRecord, 'at'>[], order: ListOrder): string[] {
  const newest = new Map<string, Omit<ListedRecord, 'at'>>();
  for (const change of changes) if ((newest.get(change.recordId)?.version ?? -1) <= change.version) newest.set(change.recordId, change);
  const open = [...newest.values()].filter((c) => !c.gone);
  const opened = (c: Omit<ListedRecord, 'at'>) => Number(c.item?.createdAt);
  const byNumber = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  open.sort((a, b) =>
    order === 'newest'
      ? opened(b) - opened(a) || byNumber(b.recordId, a.recordId)
      : byNumber(String(a.item?.priority), String(b.item?.priority)) || opened(a) - opened(b) || byNumber(a.recordId, b.recordId),
  );
  return open.map((c) => c.recordId);
}

/** The page documents (and the records in them) read from the list's pages during `work`. */
async function pagesRead(database: Database, work: () => Promise<unknown>): Promise<{ finds: number; pages: number }> {
  const commands = await commandsDuring(database, work);
  const pageFinds = commands.filter((c) => c.name === 'find' && c.collection === 'record_list_pages');
  const ids = pageFinds.flatMap((c) => {
    const id = (c.filter as { _id: string | { $in: string[] } })._id;
    return typeof id === 'string' ? [id] : id.$in;
  });
  return { finds: commands.filter((c) => c.name === 'find').length, pages: ids.length };
}

describe('lists of open records in pages: a read costs its page, a fold the pages its changes fall in (real database)', () => {
  let database: Database;
  /** The same database from another connection: a process that has read no page yet. */
  let elsewhere: Database;

  beforeAll(async () => {
    database = await openTestDatabase('record_list_pages', { monitorCommands: true });
    elsewhere = await openAgain(database);
  });
  afterAll(async () => {
    await elsewhere.close();
    await dropTestDatabase(database);
  });

  const fill = async (list: string, count: number) => {
    const lists = new RecordLists(database.models, () => new Date());
    for (let i = 0; i < count; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, count - i) }, (_, j) => {
          const n = i + j;
          return lists.write(list, { recordId: `INC${String(n).padStart(7, '0')}`, version: 1, item: { priority: PRIORITIES[n % 4] as string, createdAt: OPENED + n * 1000 } });
        }),
      );
    }
    await lists.fold(list);
  };

  it('the first page of a list of 300 and of 3,000 costs the same: the head, the changes after it, and the pages holding the first 25', async () => {
    await fill('test.short', 300);
    await fill('test.long', 3_000);
    const read = async (list: string, order: ListOrder) => {
      // A process that has read nothing yet (none of the pages kept): a new connection's.
      const process = await openAgain(database, { monitorCommands: true });
      const fresh = new RecordLists(process.models, () => new Date());
      let first: { records: ListedRecord[]; total: number } | undefined;
      const cost = await pagesRead(process, async () => (first = await fresh.first(list, order, 25)));
      await process.close();
      return { cost, first: first as { records: ListedRecord[]; total: number } };
    };
    for (const order of ['newest', 'mostUrgent'] as const) {
      const short = await read('test.short', order);
      const long = await read('test.long', order);
      expect(short.first.total).toBe(300);
      expect(long.first.total).toBe(3_000);
      expect(long.first.records).toHaveLength(25);
      // Each a page or two (a page holds up to PAGE_MAX), in one find; the head and the tail are the other two.
      expect(long.cost.finds).toBe(3);
      expect(long.cost.pages).toBeLessThanOrEqual(2);
      expect(long.cost).toEqual(short.cost);
    }
    const newest = await read('test.long', 'newest');
    expect(newest.first.records.map((r) => r.recordId)[0]).toBe('INC0002999');
    const urgent = await read('test.long', 'mostUrgent');
    expect(urgent.first.records.map((r) => r.recordId).slice(0, 2)).toEqual(['INC0000000', 'INC0000004']);
    // No page holds more than PAGE_MAX records.
    const pages = await database.models.ListPage.find({ list: 'test.long' }).lean();
    expect(Math.max(...pages.map((p) => unpackPage(p.records).length))).toBeLessThanOrEqual(PAGE_MAX);
  });

  it('a fold reads and writes the pages its changes fall in, however long the list', async () => {
    const lists = new RecordLists(database.models, () => new Date());
    // 16 changes to records in the middle of the list, opened one after another: new priorities, a departure.
    for (let i = 0; i < 15; i++) await lists.write('test.long', { recordId: `INC${String(1500 + i).padStart(7, '0')}`, version: 2, item: { priority: 'P1', createdAt: OPENED + (1500 + i) * 1000 } });
    await lists.write('test.long', { recordId: 'INC0001515', version: 2, item: { createdAt: OPENED + 1515 * 1000 }, gone: true });
    const commands = await commandsDuring(database, () => lists.fold('test.long'));
    const pages = commands.filter((c) => c.collection === 'record_list_pages');
    // At most the two pages the changes fall in are read, in one find, and written anew, in one insert.
    expect(pages.filter((c) => c.name === 'insert')).toHaveLength(1);
    const read = pages.filter((c) => c.name === 'find').flatMap((c) => (c.filter as { _id: { $in: string[] } })._id.$in ?? [(c.filter as { _id: string })._id]);
    expect(read.length).toBeLessThanOrEqual(2);
    expect(commands.filter((c) => c.name === 'update' && c.collection === 'record_lists')).toHaveLength(1);
    const first = await new RecordLists(database.models, () => new Date()).first('test.long', 'mostUrgent', 800);
    expect(first.total).toBe(2_999);
    // The 750 opened with P1, and the 11 of the 15 raised to it, among them in the order they were opened.
    const raised = first.records.map((r) => r.recordId).filter((id) => id >= 'INC0001500' && id <= 'INC0001515');
    expect(raised).toEqual(Array.from({ length: 15 }, (_, i) => `INC${String(1500 + i).padStart(7, '0')}`));
    expect(first.records.slice(0, 761).every((r) => r.item?.priority === 'P1')).toBe(true);
    expect(first.records[761]?.item?.priority).toBe('P2');
  });

  it('any mix of changes, written by two processes in any order and folded at any time, reads as the plain working-out says', async () => {
    const random = seeded(11);
    const one = new RecordLists(database.models, () => new Date());
    const other = new RecordLists(database.models, () => new Date());
    const changes: Omit<ListedRecord, 'at'>[] = [];
    const versions = new Map<string, number>();
    for (let round = 0; round < 12; round++) {
      const batch = Array.from({ length: 60 }, () => {
        const n = Math.floor(random() * 400);
        const recordId = `REQ${String(n).padStart(7, '0')}`;
        const late = random() < 0.1 && versions.has(recordId); // an older version written late
        const version = late ? Math.max(1, (versions.get(recordId) ?? 1) - 1) : (versions.get(recordId) ?? 0) + 1;
        if (!late) versions.set(recordId, version);
        const item = { priority: PRIORITIES[Math.floor(random() * 4)] as string, createdAt: OPENED + n * 60_000 };
        return { recordId, version, item, ...(random() < 0.25 ? { gone: true } : {}) };
      });
      changes.push(...batch);
      for (const change of batch) await (random() < 0.5 ? one : other).write('test.mixed', change);
      if (round % 3 === 2) await other.fold('test.mixed');
      for (const order of ['newest', 'mostUrgent'] as const) {
        const want = expected(changes, order);
        const fresh = new RecordLists(database.models, () => new Date());
        for (const wanted of [1, 25, 130, Infinity]) {
          const read = await (round % 2 ? one : fresh).first('test.mixed', order, wanted);
          expect(read.records.map((r) => r.recordId)).toEqual(Number.isFinite(wanted) ? want.slice(0, wanted) : want);
          expect(read.total).toBe(want.length);
        }
      }
    }
  });

  it('a head written before pages is read as it is, and its first fold writes it as pages', async () => {
    const records: ListedRecord[] = Array.from({ length: 600 }, (_, n) => ({ recordId: `CHG${String(n).padStart(7, '0')}`, version: 1, item: { priority: 'P3', createdAt: OPENED + n }, at: new Date() }));
    await database.models.ListSnapshot.create({ _id: 'test.before-pages', upTo: 0, records: packRecords(records), foldedAt: new Date() });
    const lists = new RecordLists(database.models, () => new Date());
    expect((await lists.first('test.before-pages', 'newest', 3)).records.map((r) => r.recordId)).toEqual(['CHG0000599', 'CHG0000598', 'CHG0000597']);
    expect(await lists.fold('test.before-pages')).toBe(0);
    const head = await database.models.ListSnapshot.findById('test.before-pages').lean();
    expect(head?.pages).toBeDefined();
    const pages = await database.models.ListPage.find({ list: 'test.before-pages' }).lean();
    expect(pages.flatMap((p) => unpackPage(p.records)).map((r) => r.recordId)).toEqual(records.map((r) => r.recordId));
    expect(Math.max(...pages.map((p) => unpackPage(p.records).length))).toBeLessThanOrEqual(PAGE_MAX);
    const fresh = new RecordLists(database.models, () => new Date());
    expect((await fresh.first('test.before-pages', 'newest', 3)).records.map((r) => r.recordId)).toEqual(['CHG0000599', 'CHG0000598', 'CHG0000597']);
    expect((await fresh.first('test.before-pages', 'newest', 3)).total).toBe(600);
  });

  it('the pages a fold replaced are removed by a fold some minutes later; the pages the head names stay', async () => {
    const lists = new RecordLists(database.models, () => new Date());
    const write = (n: number, version: number) => lists.write('test.retired', { recordId: `INC${n}`, version, item: { priority: 'P2', createdAt: OPENED + n } });
    for (let n = 1; n <= 16; n++) await write(n, 1);
    for (let n = 1; n <= 16; n++) await write(n, 2);
    const named = async () => {
      const head = await database.models.ListSnapshot.findById('test.retired').lean();
      return (JSON.parse(head?.pages ?? '[]') as [string][]).map(([token]) => `test.retired#${token}`);
    };
    const stored = async () => (await database.models.ListPage.find({ list: 'test.retired' }, { _id: 1 }).lean()).map((p) => p._id).sort();
    expect((await stored()).length).toBeGreaterThan((await named()).length);
    const later = Date.now() + 6 * 60_000;
    const clock = jest.spyOn(Date, 'now').mockReturnValue(later);
    try {
      for (let n = 1; n <= 16; n++) await write(n, 3);
    } finally {
      clock.mockRestore();
    }
    // The first fold's page went; the second's was replaced just now and stays a while.
    expect(await stored()).toHaveLength(2);
    expect(await stored()).toEqual(expect.arrayContaining(await named()));
    expect((await lists.members('test.retired')).map((m) => m.version)).toEqual(Array(16).fill(3));
    // Retention leaves it too, however old: a fold working from the head before may still name it.
    await lists.removeUnnamedPages(new Date(Date.now() + 2 * 86_400_000));
    expect(await stored()).toHaveLength(2);
  });

  it('a fold whose head another fold replaced meanwhile writes nothing: the other head stays, and its own pages go', async () => {
    const list = 'test.crossed';
    const write = (lists: RecordLists, n: number, version: number) => lists.write(list, { recordId: `INC${n}`, version, item: { priority: 'P3', createdAt: OPENED + n } });
    const other = new RecordLists(elsewhere.models, () => new Date());
    // The slow fold's page insert lets the other process's fold go first.
    const { ListPage } = database.models;
    let crossed = false;
    const slowPages = Object.create(ListPage, {
      collection: {
        value: {
          insertMany: async (docs: never[], options: object) => {
            if (!crossed) {
              crossed = true;
              expect(await other.fold(list)).toBeGreaterThan(0);
            }
            return ListPage.collection.insertMany(docs, options);
          },
        },
      },
    }) as typeof ListPage;
    const slow = new RecordLists({ ...database.models, ListPage: slowPages }, () => new Date());
    for (let n = 1; n <= 15; n++) await write(other, n, 1);
    const before = await database.models.ListSnapshot.findById(list).lean();
    expect(await slow.fold(list)).toBe(0);
    const after = await database.models.ListSnapshot.findById(list).lean();
    expect(after?.pages).not.toEqual(before?.pages);
    const named = (JSON.parse(after?.pages ?? '[]') as [string][]).map(([token]) => `${list}#${token}`);
    // Only the pages the other fold wrote are stored (the slow fold's were removed).
    expect((await ListPage.find({ list }, { _id: 1 }).lean()).map((p) => p._id).sort()).toEqual([...named].sort());
    expect((await new RecordLists(database.models, () => new Date()).members(list)).map((m) => [m.recordId, m.version]).sort()).toEqual(
      Array.from({ length: 15 }, (_, i) => [`INC${i + 1}`, 1]).sort(),
    );
  });

  it('a departure in a head from before pages still refuses a late change of an older version', async () => {
    const records: ListedRecord[] = [
      { recordId: 'INC1', version: 1, item: { priority: 'P3', createdAt: OPENED }, at: new Date() },
      { recordId: 'INC2', version: 5, gone: true, at: new Date() },
    ];
    await database.models.ListSnapshot.create({ _id: 'test.before-pages-departed', upTo: 0, records: packRecords(records), foldedAt: new Date() });
    const lists = new RecordLists(database.models, () => new Date());
    await lists.write('test.before-pages-departed', { recordId: 'INC2', version: 4, item: { priority: 'P1', createdAt: OPENED + 1 } });
    expect((await lists.members('test.before-pages-departed')).map((m) => m.recordId)).toEqual(['INC1']);
    await lists.fold('test.before-pages-departed');
    expect((await new RecordLists(database.models, () => new Date()).members('test.before-pages-departed')).map((m) => m.recordId)).toEqual(['INC1']);
  });
});
