import type { Database } from '../../../src/db/connect';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import { JAMIE, SAM, TestClock, buildActor, buildApp, buildConfig, cardOf, errorOf, reportInput, run } from '../../support/factories';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

describe('people as the configuration says now (real database)', () => {
  let database: Database;
  const clock = new TestClock(new Date('2026-11-23T01:00:00Z'));
  beforeEach(async () => {
    database = await openTestDatabase('people');
  });
  afterEach(() => dropTestDatabase(database));

  it('a person removed from the configuration loses their roles and groups; their records and history stay', async () => {
    const before = await buildApp(database, clock);
    const sam = await buildActor(before, SAM);
    expect(sam.roles).toEqual(['agent']);
    const reported = cardOf(await run(before, INCIDENT_IDS.report, sam, reportInput())).recordId as string;

    // Sam leaves: out of the people and of every group.
    const after = await buildApp(
      database,
      clock,
      buildConfig((config) => {
        config.people = (config.people ?? []).filter((p) => p.email !== SAM);
        for (const group of config.groups ?? []) group.members = group.members.filter((m) => m !== SAM);
        for (const schedule of config.onCallSchedules ?? []) schedule.participants = schedule.participants.filter((p) => p !== SAM);
      }),
    );
    const samNow = await buildActor(after, SAM);
    expect({ roles: samNow.roles, groups: samNow.groups }).toEqual({ roles: [], groups: [] });
    // Their own record is still theirs to see; working others' is refused.
    expect((await after.ctx.incidents.findById(reported))?.requesterName).toBe('Sam Lee');
    expect(cardOf(await run(after, INCIDENT_IDS.show, samNow, { recordId: reported })).recordId).toBe(reported);
    const other = cardOf(await run(after, INCIDENT_IDS.report, await buildActor(after, JAMIE), reportInput())).recordId as string;
    expect(errorOf(await run(after, INCIDENT_IDS.ack, samNow, { recordId: other })).text).toMatch(/not allowed|권한이 없습니다/);
    expect(await database.models.AuditEvent.countDocuments({ actorName: 'Sam Lee' })).toBeGreaterThan(0);
  });
  it("a newcomer's first requests at once (sixty, from two of their identities) are all served, each identity stored once", async () => {
    const app = await buildApp(database, clock);
    const describe = async () => ({ name: 'Noa Newcomer', email: 'noa.newcomer@example.com' });
    const firsts = await Promise.all(
      Array.from({ length: 60 }, (_, i) => app.ctx.people.actorFor({ platform: 'slack', userId: `T1:U0NEWBIE${i % 2}` }, describe)),
    );
    expect(new Set(firsts.map((a) => a.id))).toEqual(new Set(['email:noa.newcomer@example.com']));
    expect(await database.models.PlatformIdentity.countDocuments({ personId: 'email:noa.newcomer@example.com' })).toBe(2);
  });
});
