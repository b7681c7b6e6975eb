import type { App } from '../src/app';
import { dispatch } from '../handlers/dispatch';
import type { Database } from '../src/db/connect';
import { INCIDENT_IDS } from '../src/views/incident-actions';
import type { Actor } from '../src/people/people-directory';
import { timed } from './measure';

const SERVICES = ['email', 'vpn', 'laptops'];
const PAIRS = [
  { impact: 'high', urgency: 'high' },
  { impact: 'high', urgency: 'medium' },
  { impact: 'medium', urgency: 'medium' },
  { impact: 'medium', urgency: 'low' },
  { impact: 'low', urgency: 'low' },
];

/** Employees reporting (none in the configuration: the desk serves everyone). */
export async function benchRequesters(app: App, count: number): Promise<Actor[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => {
      const email = `employee${i}@example.com`;
      return app.ctx.people.actorFor({ platform: 'web', userId: email, email });
    }),
  );
}

/**
 * Open incidents through the report handler (so they are where lists find them), 4 at a time;
 * each acknowledged at once by `agent` when given (a desk's open work is mostly being worked, and
 * its SLA and escalation timers then do not all fall due together).
 */
export async function reportOpenIncidents(app: App, requesters: readonly Actor[], count: number, from = 0, agent?: Actor): Promise<string[]> {
  const numbers: string[] = [];
  await timed(count, 4, async (i) => {
    const n = from + i;
    const result = await dispatch(app.ctx, app.registry, app.log, {
      handlerId: INCIDENT_IDS.report,
      actor: requesters[n % requesters.length] as Actor,
      input: { summary: `Open incident ${n}`, service: SERVICES[n % SERVICES.length], ...PAIRS[n % PAIRS.length], platform: 'web' },
    });
    const number = result.announcements[0]?.recordId;
    if (!number) return;
    numbers.push(number);
    if (agent) await dispatch(app.ctx, app.registry, app.log, { handlerId: INCIDENT_IDS.ack, actor: agent, input: { recordId: number } });
  });
  return numbers;
}

/**
 * Closed incidents as history: documents of the shape the handler stores (one it made), inserted a
 * thousand at a time, numbered apart from the live series (INC5…).
 */
export async function insertClosedHistory(database: Database, shapeOf: string, count: number, from = 0): Promise<void> {
  const shape = await database.models.Incident.findById(shapeOf).lean();
  if (!shape) throw new Error(`no incident ${shapeOf} to copy the shape of`);
  for (let first = 0; first < count; first += 1000) {
    const batch = Array.from({ length: Math.min(1000, count - first) }, (_, k) => {
      const number = `INC${String(5_000_000 + from + first + k).padStart(7, '0')}`;
      return { ...shape, _id: number, number, title: `Closed incident ${from + first + k}`, state: 'closed', dedupeKey: `history:${number}`, closedAt: new Date() };
    });
    await database.models.Incident.collection.insertMany(batch as never[], { ordered: false });
  }
}
