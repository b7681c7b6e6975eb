import type { Database } from '../../../src/db/connect';
import { claimKey, releaseAbandonedKey, releaseKey } from '../../../src/services/record-keys';
import { RequestClaims } from '../../../src/services/request-claims';
import { commandsDuring, dropTestDatabase, openTestDatabase } from '../../support/test-database';

/**
 * Claims are inserts of a unique `_id`; letting one go must not read every key (FerretDB's SQLite
 * storage serves only a filter on `_id` alone, docs/storage.md §2): a release that filtered on the
 * holder too read the whole collection inside a write, and under load held every other write back.
 */
describe('record keys: claims let go by `_id` alone (real database)', () => {
  let database: Database;

  beforeEach(async () => {
    database = await openTestDatabase('record_keys', { monitorCommands: true });
  });
  afterEach(() => dropTestDatabase(database));

  const filtersOf = (commands: { name: string; filter: unknown }[]) => commands.filter((c) => c.filter !== undefined).map((c) => Object.keys(c.filter as object));

  it('lets go of a claim its holder releases, with every command filtering on `_id` alone', async () => {
    const { RecordKey } = database.models;
    await claimKey(RecordKey, 'dedupe:slack:view:V1', 'INC0001001');
    const commands = await commandsDuring(database, () => releaseKey(RecordKey, 'dedupe:slack:view:V1', 'INC0001001'));
    expect(filtersOf(commands)).toEqual([['_id'], ['_id']]);
    expect(await RecordKey.findById('dedupe:slack:view:V1').lean()).toBeNull();
  });

  it('leaves a claim that another holds', async () => {
    const { RecordKey } = database.models;
    await claimKey(RecordKey, 'dedupe:slack:view:V2', 'INC0001002');
    await releaseKey(RecordKey, 'dedupe:slack:view:V2', 'INC0001009');
    expect(await RecordKey.findById('dedupe:slack:view:V2').lean()).toMatchObject({ recordId: 'INC0001002' });
  });

  it('of five takers finding one claim abandoned at once, lets one let it go, by `_id` alone', async () => {
    const { RecordKey } = database.models;
    await claimKey(RecordKey, 'dedupe:slack:view:V3', 'INC0001003');
    let outcomes: boolean[] = [];
    const commands = await commandsDuring(database, async () => {
      outcomes = await Promise.all([4, 5, 6, 7, 8].map((n) => releaseAbandonedKey(RecordKey, 'dedupe:slack:view:V3', 'INC0001003', `INC000100${n}`)));
    });
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(await RecordKey.findById('dedupe:slack:view:V3').lean()).toBeNull();
    expect(filtersOf(commands).every((keys) => keys.length === 1 && keys[0] === '_id')).toBe(true);
  });

  it("gives a dead process's request claim to one of two deliveries arriving together", async () => {
    const claims = new RequestClaims(database.models.RecordKey, 'teams');
    expect(await claims.claimFor('activity-1', 'dead-boot', async () => true)).toBe(true);
    const isAlive = async (owner: string) => owner !== 'dead-boot';
    const won = await Promise.all([claims.claimFor('activity-1', 'boot-a', isAlive), claims.claimFor('activity-1', 'boot-b', isAlive)]);
    expect(won.filter(Boolean)).toHaveLength(1);
    const holder = (await database.models.RecordKey.findById('teams-request:activity-1').lean())?.recordId;
    expect(holder).toBe(won[0] ? 'boot-a' : 'boot-b');
  });
});
