import type { App } from '../../../src/app';
import type { Database } from '../../../src/db/connect';
import type { ListView } from '../../../src/views/view-model';
import { HOME_IDS } from '../../../handlers/home/my-desk';
import { ALEX, JAMIE, TestClock, buildActor, buildApp, run } from '../../support/factories';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

describe('my desk (against the MongoDB-compatible server)', () => {
  let database: Database;
  let app: App;
  beforeAll(async () => {
    database = await openTestDatabase('my_desk');
    app = await buildApp(database, new TestClock(new Date('2026-11-24T10:00:00+09:00')));
  });
  afterAll(() => dropTestDatabase(database));

  const titles = async (email: string) => ((await run(app, HOME_IDS.desk, await buildActor(app, email), {})).views as ListView[]).map((v) => v.title);

  it("shows an agent their tickets, their groups' queue and their approvals", async () => {
    expect(await titles(ALEX)).toEqual(['Your open incidents', "Your groups' queue", 'Waiting on your approval']);
  });

  it('shows someone without a role no queue', async () => {
    expect(await titles(JAMIE)).toEqual(['Your open incidents', 'Waiting on your approval']);
  });
});
