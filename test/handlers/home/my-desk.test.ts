import type { App } from '../../../src/app';
import type { Database } from '../../../src/db/connect';
import type { ListView } from '../../../src/views/view-model';
import { HOME_IDS } from '../../../handlers/home/my-desk';
import { ALEX, JAMIE, TestClock, buildActor, buildApp, cardOf, reportInput, run } from '../../support/factories';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

describe('my desk (against the MongoDB-compatible server)', () => {
  let database: Database;
  let app: App;
  let jamiesEmailOutage: string;
  let alexsVpnProblem: string;
  beforeAll(async () => {
    database = await openTestDatabase('my_desk');
    app = await buildApp(database, new TestClock(new Date('2026-11-24T10:00:00+09:00')));
    // E-mail is the messaging group's (Alex's); the VPN the service desk's (not Alex's).
    const report = async (email: string, input: Record<string, unknown>) => cardOf(await run(app, 'incident.report', await buildActor(app, email), reportInput(input))).recordId as string;
    jamiesEmailOutage = await report(JAMIE, { service: 'email', summary: 'Mail will not send' });
    alexsVpnProblem = await report(ALEX, { service: 'vpn', summary: 'VPN drops' });
    await app.jobs.wheel.idle(); // their `created` jobs, run at once, list them
  });
  afterAll(() => dropTestDatabase(database));

  /** Each list of the desk: its title, the incidents on it, and what it says when empty. */
  const desk = async (email: string) =>
    ((await run(app, HOME_IDS.desk, await buildActor(app, email), {})).views as ListView[]).map((v) => ({ title: v.title, items: v.items.map((i) => i.recordId), empty: v.empty }));

  // What waits on the person's approval comes first, and is there even when empty (approvals
  // themselves are checked in test/handlers/request and test/handlers/change).
  it("shows an agent what waits on their approval, their tickets and their groups' queue", async () => {
    expect(await desk(ALEX)).toEqual([
      { title: 'Waiting on your approval', items: [], empty: 'Nothing is waiting on your approval.' },
      { title: 'Your open incidents', items: [alexsVpnProblem], empty: expect.any(String) },
      { title: "Your groups' queue", items: [jamiesEmailOutage], empty: expect.any(String) },
    ]);
  });

  it('shows someone without a role their tickets and no queue', async () => {
    expect(await desk(JAMIE)).toEqual([
      { title: 'Waiting on your approval', items: [], empty: 'Nothing is waiting on your approval.' },
      { title: 'Your open incidents', items: [jamiesEmailOutage], empty: expect.any(String) },
    ]);
  });
});
