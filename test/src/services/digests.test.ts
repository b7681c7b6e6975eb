import type { Database } from '../../../src/db/connect';
import { Digests } from '../../../src/services/digests';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

describe('digests of lines: nothing lost when processes add at once (real database)', () => {
  let database: Database;
  const now = () => new Date('2026-11-30T01:00:00Z');
  beforeEach(async () => {
    database = await openTestDatabase('digests');
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
});
