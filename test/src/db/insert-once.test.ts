import type { Database } from '../../../src/db/connect';
import { insertEachOnce } from '../../../src/db/insert-once';
import type { NotificationAttemptDoc } from '../../../src/models/notification.model';
import { commandsDuring, dropTestDatabase, openTestDatabase } from '../../support/test-database';

const attempt = (id: string, error: string): NotificationAttemptDoc => ({ _id: id, notificationId: id.split('#')[0] as string, at: new Date(), outcome: 'retry', error });

describe('several documents inserted in one command, each only once (real database)', () => {
  let database: Database;

  beforeAll(async () => {
    database = await openTestDatabase('insert_each_once', { monitorCommands: true });
  });
  afterAll(() => dropTestDatabase(database));

  const stored = (ids: string[]) => database.models.NotificationAttempt.find({ _id: { $in: ids } }).sort({ _id: 1 }).lean();

  it('inserts them all in one command when none is taken, and says so', async () => {
    const docs = ['a#1', 'a#2', 'a#3'].map((id) => attempt(id, 'call 1'));
    let inserted: NotificationAttemptDoc[] = [];
    const commands = await commandsDuring(database, async () => (inserted = await insertEachOnce(database.models.NotificationAttempt, docs, (doc) => doc.error === 'call 1')));
    expect(commands.map((c) => c.name)).toEqual(['insert']);
    expect(inserted.map((doc) => doc._id)).toEqual(['a#1', 'a#2', 'a#3']);
    expect((await stored(['a#1', 'a#2', 'a#3'])).map((doc) => doc.error)).toEqual(['call 1', 'call 1', 'call 1']);
  });

  it('leaves a document stored by another call as it was, stores the rest, and tells which were its own', async () => {
    await insertEachOnce(database.models.NotificationAttempt, [attempt('b#2', 'the other call')], () => true);
    const docs = ['b#1', 'b#2', 'b#3'].map((id) => attempt(id, 'call 2'));
    const inserted = await insertEachOnce(database.models.NotificationAttempt, docs, (doc) => doc.error === 'call 2');
    expect(inserted.map((doc) => doc._id)).toEqual(['b#1', 'b#3']);
    expect((await stored(['b#1', 'b#2', 'b#3'])).map((doc) => doc.error)).toEqual(['call 2', 'the other call', 'call 2']);
  });

  it('a call made again (its first try answered with an error after storing some) finds those its own', async () => {
    await insertEachOnce(database.models.NotificationAttempt, [attempt('c#1', 'call 3')], () => true);
    const inserted = await insertEachOnce(database.models.NotificationAttempt, ['c#1', 'c#2'].map((id) => attempt(id, 'call 3')), (doc) => doc.error === 'call 3');
    expect(inserted.map((doc) => doc._id)).toEqual(['c#1', 'c#2']);
  });

  it('a call whose documents are all taken inserts none', async () => {
    const inserted = await insertEachOnce(database.models.NotificationAttempt, ['a#1', 'a#2'].map((id) => attempt(id, 'call 4')), (doc) => doc.error === 'call 4');
    expect(inserted).toEqual([]);
    expect((await stored(['a#1', 'a#2'])).map((doc) => doc.error)).toEqual(['call 1', 'call 1']);
  });
});
