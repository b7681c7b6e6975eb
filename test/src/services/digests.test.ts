import type { Database } from '../../../src/db/connect';
import { Digests } from '../../../src/services/digests';
import { countCommands, dropTestDatabase, openTestDatabase } from '../../support/test-database';

describe('digests of lines: nothing lost when processes add at once (real database)', () => {
  let database: Database;
  const now = () => new Date('2026-11-30T01:00:00Z');
  beforeEach(async () => {
    database = await openTestDatabase('digests', { monitorCommands: true });
  });
  afterEach(() => dropTestDatabase(database));

  it('two processes adding 120 lines at once: every line listed once, in parts of at most 45 lines with buttons', async () => {
    const a = new Digests(database.models, now);
    const b = new Digests(database.models, now);
    const entry = (i: number) => ({ recordId: `INC${String(i).padStart(7, '0')}`, text: `line ${i}`, action: { actionId: 'incident.ack', label: 'Acknowledge', recordId: `INC${i}` } });
    const ids = await Promise.all(Array.from({ length: 120 }, (_, i) => (i % 2 === 0 ? a : b).add('slack', 'DU0MINJI', 'escalation.0', entry(i))));
    const parts = [...new Set(ids)].sort();
    const listed = (await Promise.all(parts.map((id) => a.lines(id)))).map((lines) => lines.map((l) => l.recordId));
    expect(listed.every((lines) => lines.length <= 45)).toBe(true);
    const all = listed.flat();
    expect(all).toHaveLength(120);
    expect(new Set(all).size).toBe(120);
    // Added again (a delivery tried again): found where it is, not listed twice.
    const again = await b.add('slack', 'DU0MINJI', 'escalation.0', entry(7));
    expect(again).toBe(ids[7]);
    expect(await a.holding('slack', 'DU0MINJI', 'escalation.0', entry(7).recordId, now())).toBe(ids[7]);
    expect((await a.lines(ids[7] as string)).filter((l) => l.recordId === entry(7).recordId)).toHaveLength(1);
  });

  it('a first try adds a line with two inserts and no lookups; a process reads back only the lines others added', async () => {
    const a = new Digests(database.models, now);
    const b = new Digests(database.models, now);
    const entry = (i: number) => ({ recordId: `INC${String(i).padStart(7, '0')}`, text: `line ${i}` });
    const first = await a.add('slack', 'C0VPN', 'sla.resolution.50', entry(0), { firstTry: true });
    // The digest and a's first block of 20 slots are stored by the first add; after it, a line is
    // its slot and its mark, and the 21st line a second block's claim.
    const adding = await countCommands(database, () => Promise.all(Array.from({ length: 20 }, (_, i) => a.add('slack', 'C0VPN', 'sla.resolution.50', entry(i + 1), { firstTry: true }))));
    expect(adding).toEqual({ insert: 41 });
    await Promise.all(Array.from({ length: 5 }, (_, i) => b.add('slack', 'C0VPN', 'sla.resolution.50', entry(100 + i), { firstTry: true })));
    let lines: { recordId: string }[] = [];
    const reading = await countCommands(database, async () => (lines = await a.lines(first)));
    expect(lines.map((l) => l.recordId)).toEqual([...Array.from({ length: 21 }, (_, i) => entry(i).recordId), ...Array.from({ length: 5 }, (_, i) => entry(100 + i).recordId)]);
    // b's block claim, its five lines and the free slot after them (in batches of 1, 2, 4), and the
    // claim of a next block, not there: no line of a's read back.
    expect(reading.find).toBeLessThanOrEqual(9);
  });

  it('a digest stored before blocks is read as one sequence of lines from slot 0', async () => {
    const id = 'slack:C0OLD:sla.resolution.75:5986668:p0';
    await database.models.Digest.collection.insertOne({ _id: id, platform: 'slack', channel: 'C0OLD', reason: 'sla.resolution.75', createdAt: now() } as never);
    for (let slot = 0; slot < 3; slot++) {
      await database.models.DigestLine.collection.insertOne({ _id: `${id}:${slot}`, digestId: id, recordId: `INC000000${slot}`, text: `old ${slot}`, createdAt: now() } as never);
    }
    expect((await new Digests(database.models, now).lines(id)).map((l) => l.text)).toEqual(['old 0', 'old 1', 'old 2']);
  });
});
