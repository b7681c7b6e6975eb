import type { App } from '../../../src/app';
import { verifyAuditChains, type AuditedRecord } from '../../../src/audit/verify-audit-chains';
import type { Database } from '../../../src/db/connect';
import type { IncidentDoc } from '../../../src/models/incident.model';
import { ROLL_FORWARD_AFTER_MS, rollForwardInterruptedChanges } from '../../../src/services/audited-change';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import { dispatchInteraction } from '../../../handlers/dispatch';
import { JAMIE, SAM, TestClock, buildActor, buildApp, cardOf, reportInput, run } from '../../support/factories';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

describe('audit chains (against the MongoDB-compatible server)', () => {
  let database: Database;
  let app: App;
  const clock = new TestClock(new Date('2026-11-24T10:00:00+09:00'));

  beforeAll(async () => {
    database = await openTestDatabase('audit');
    app = await buildApp(database, clock);
  });
  afterAll(() => dropTestDatabase(database));

  const verify = (id: string) =>
    verifyAuditChains(database.models.AuditEvent, database.models.Incident.collection.find({ _id: id as never }) as unknown as AsyncIterable<AuditedRecord>);

  async function workedIncident(): Promise<string> {
    const jamie = await buildActor(app, JAMIE);
    const sam = await buildActor(app, SAM);
    const id = cardOf(await run(app, INCIDENT_IDS.report, jamie, reportInput())).recordId as string;
    await run(app, INCIDENT_IDS.ack, sam, { recordId: id });
    await run(app, INCIDENT_IDS.resolve, sam, { recordId: id, code: 'solved_workaround', notes: 'Restarted the gateway.' });
    return id;
  }

  it('holds for records changed through the services', async () => {
    const id = await workedIncident();
    expect(await verify(id)).toEqual({ records: 1, events: 3, problems: [] });
  });

  it('detects an altered event', async () => {
    const id = await workedIncident();
    await database.models.AuditEvent.updateOne({ _id: `${id}:2` }, { $set: { actorName: 'Someone Else' } });
    const { problems } = await verify(id);
    expect(problems.map((p) => p.problem)).toEqual(['event 2 was altered']);
  });

  it('detects a removed event, in the middle or at the end', async () => {
    const middle = await workedIncident();
    await database.models.AuditEvent.deleteOne({ _id: `${middle}:2` });
    expect((await verify(middle)).problems.map((p) => p.problem)).toEqual(['event 2 is missing (found 3)', 'the record is at version 3 but its audit trail ends at 1']);
    const last = await workedIncident();
    await database.models.AuditEvent.deleteOne({ _id: `${last}:3` });
    expect((await verify(last)).problems.map((p) => p.problem)).toEqual(['the record is at version 3 but its audit trail ends at 2']);
  });

  it('rolls forward a change whose writer died after claiming it', async () => {
    const id = await workedIncident();
    const seen = (await app.ctx.incidents.findById(id)) as IncidentDoc;
    // The claim (event 4) is written, the record update never happens.
    const sam = await buildActor(app, SAM);
    const at = clock.now();
    await app.ctx.incidents.change({ seen, action: 'close', actor: { id: sam.id, name: sam.name }, at, before: { state: 'resolved' }, after: { state: 'closed' }, set: { state: 'closed', closedAt: at } });
    // Put the record back as it was before the update: as if the process died between the two writes.
    await database.models.Incident.collection.replaceOne({ _id: seen._id as never }, seen as never);
    expect((await verify(id)).problems).toHaveLength(1);

    // A claim this fresh may be a live writer's that is about to land: left alone.
    expect(await rollForwardInterruptedChanges(database.models.Incident, database.models.AuditEvent, new Date(Date.now() - 60 * 60_000))).toBe(0);
    expect(await app.ctx.incidents.findById(id)).toMatchObject({ state: 'resolved', version: 3 });
    // Older than the roll-forward delay: its writer is taken to be dead.
    await database.models.AuditEvent.updateOne({ _id: `${id}:4` }, { $set: { writtenAt: new Date(Date.now() - ROLL_FORWARD_AFTER_MS - 1_000) } });
    const repaired = await rollForwardInterruptedChanges(database.models.Incident, database.models.AuditEvent, new Date(Date.now() - 60 * 60_000));
    expect(repaired).toBe(1);
    expect(await app.ctx.incidents.findById(id)).toMatchObject({ state: 'closed', version: 4 });
    expect(await verify(id)).toMatchObject({ problems: [] });
  });

  it('a request replayed after its process died between claiming and updating completes its own change at once', async () => {
    const id = await workedIncident();
    const seen = (await app.ctx.incidents.findById(id)) as IncidentDoc;
    const sam = await buildActor(app, SAM);
    const closeAs = (replayed: boolean) =>
      dispatchInteraction(app.ctx, app.registry, app.log, sam, { entry: INCIDENT_IDS.close, platform: 'slack', requestKey: 'close-click-1', recordId: id, ...(replayed ? { replayed } : {}) });
    await closeAs(false);
    // The process died after the claim (event 4), before the record's update.
    await database.models.Incident.collection.replaceOne({ _id: seen._id as never }, seen as never);

    // The intake replays the request: its claim is its own, fresh or not, so it is completed.
    const replayed = await closeAs(true);
    expect(replayed.views.filter((v) => v.kind === 'notice' && v.tone === 'error')).toEqual([]);
    expect(await app.ctx.incidents.findById(id)).toMatchObject({ state: 'closed', version: 4 });
    expect(await verify(id)).toMatchObject({ problems: [] });
  });
});
