import type { App } from '../../../src/app';
import type { Database } from '../../../src/db/connect';
import type { OptionsView } from '../../../src/views/view-model';
import { CMDB_IDS } from '../../../handlers/cmdb/suggest-configuration-items';
import { JAMIE, TestClock, buildActor, buildApp, run } from '../../support/factories';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

describe('configuration item suggestions (against the MongoDB-compatible server)', () => {
  let database: Database;
  let app: App;
  beforeAll(async () => {
    database = await openTestDatabase('cmdb_suggest');
    app = await buildApp(database, new TestClock(new Date('2026-11-24T10:00:00+09:00')));
  });
  afterAll(() => dropTestDatabase(database));

  const suggest = async (input: object) =>
    ((await run(app, CMDB_IDS.suggest, await buildActor(app, JAMIE), input)).views[0] as OptionsView).options.map((o) => o.value);

  it('matches every typed word against the start of a word of the key or name', async () => {
    expect(await suggest({ query: 'vpn ga' })).toEqual(['vpn-gw-seoul']);
    expect(await suggest({ query: 'serv' })).toEqual(['exchange-01']);
    expect(await suggest({ query: 'nothing like this' })).toEqual([]);
  });

  it('narrows to the service already chosen, and lists all of its items for an empty query', async () => {
    expect(await suggest({ query: '', service: 'vpn' })).toEqual(['radius', 'vpn-gw-seoul']);
    expect(await suggest({ query: 'gateway', service: 'email' })).toEqual(['mail-gateway']);
  });
});
