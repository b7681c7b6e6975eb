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

  // Approvals arrive with service requests and changes, which do not exist yet: the list is
  // always there and always empty, so that is what is checked.
  it("shows an agent their tickets, their groups' queue and an empty approvals list", async () => {
    expect(await desk(ALEX)).toEqual([
      { title: 'Your open incidents', items: [alexsVpnProblem], empty: expect.any(String) },
      { title: "Your groups' queue", items: [jamiesEmailOutage], empty: expect.any(String) },
      { title: 'Waiting on your approval', items: [], empty: 'Nothing is waiting on your approval.' },
    ]);
  });

  it('shows someone without a role their tickets and no queue', async () => {
    expect(await desk(JAMIE)).toEqual([
      { title: 'Your open incidents', items: [jamiesEmailOutage], empty: expect.any(String) },
      { title: 'Waiting on your approval', items: [], empty: 'Nothing is waiting on your approval.' },
    ]);
  });
});
