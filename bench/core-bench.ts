import { Types } from 'mongoose';
import { INCIDENT_IDS } from '../src/views/incident-actions';
import { dispatch } from '../handlers/dispatch';
import { createApp } from '../src/app';
import { loadItsmConfig } from '../src/config/load-itsm-config';
import { connectDatabase, type Database } from '../src/db/connect';
import { DEFAULT_PRIORITY_MATRIX, LEVELS, priorityOf } from '../src/domain/priority';
import { createLogger } from '../src/logger';
import { join } from 'node:path';
import { readUciIncidents } from './uci-incidents';
import { countCommandsByKind, report, rssMegabytes, timed } from './measure';

const CONCURRENCY = 4;
const RAW_INSERTS = 3000;
const HANDLER_INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 10_000);

/**
 * The core's figures: incidents per second through the report handler (number claim, audit
 * event, insert) against raw `insertOne` into the same server, and the process's memory.
 */
export async function runCoreBench(uri: string): Promise<void> {
  const database: Database = await connectDatabase(uri, `bench_core_${Date.now()}`, { monitorCommands: Boolean(process.env.BENCH_CORE_COMMANDS) });
  try {
    const config = await loadItsmConfig(join(__dirname, '..', '..', 'opsdesk.example.yml'));
    // The report handler alone: what its timers set off (watch, pages) is measured by the SLA bench.
    const app = await createApp({ database, config, log: createLogger('silent'), runDueTimersAtOnce: false });
    report('resident memory after start', rssMegabytes(), 'MB');

    // Impact and urgency as real incidents were opened (ServiceNow export), where the dataset is at hand.
    const uci = await readUciIncidents(HANDLER_INCIDENTS);
    const pairs = uci.length > 0 ? uci : LEVELS.flatMap((impact) => LEVELS.map((urgency) => ({ impact, urgency })));
    if (uci.length > 0) {
      const agree = uci.filter((i) => priorityOf(DEFAULT_PRIORITY_MATRIX, i.impact, i.urgency) === i.priority).length;
      report('priority matrix agreement with the ServiceNow export', (100 * agree) / uci.length, `% of ${uci.length} incidents`);
    }

    // The raw baseline inserts documents of the very shape the handler stores (one made by it).
    const jamie = await app.ctx.people.actorFor({ platform: 'web', userId: 'jamie.song@example.com', email: 'jamie.song@example.com' });
    const sample = await dispatch(app.ctx, app.registry, app.log, {
      handlerId: INCIDENT_IDS.report,
      actor: jamie,
      input: { summary: 'Shape sample', service: 'vpn', impact: 'medium', urgency: 'medium', platform: 'web' },
    });
    const shape = await database.models.Incident.findById(sample.announcements[0]?.recordId).lean();
    const raw = database.connection.collection('bench_raw_inserts');
    const rawSeconds = await timed(RAW_INSERTS, CONCURRENCY, (i) =>
      raw.insertOne({ ...shape, _id: new Types.ObjectId(), number: `RAW${String(i).padStart(7, '0')}` }),
    );
    const rawRate = RAW_INSERTS / rawSeconds;
    report('raw insertOne', rawRate, 'documents/s');

    const services = ['email', 'vpn', 'laptops'];
    const reporters = await Promise.all(
      ['jamie.song@example.com', 'robin.han@example.com', 'minji.kim@example.com'].map((email) =>
        app.ctx.people.actorFor({ platform: 'web', userId: email, email }),
      ),
    );
    let failures = 0;
    const commands = process.env.BENCH_CORE_COMMANDS ? countCommandsByKind(database.connection.getClient()) : undefined;
    const handlerSeconds = await timed(HANDLER_INCIDENTS, CONCURRENCY, async (i) => {
      const pair = pairs[i % pairs.length] as { impact: string; urgency: string };
      const result = await dispatch(app.ctx, app.registry, app.log, {
        handlerId: INCIDENT_IDS.report,
        actor: reporters[i % reporters.length]!,
        input: { summary: `Benchmark incident ${i}`, service: services[i % services.length], impact: pair.impact, urgency: pair.urgency, platform: 'web' },
      });
      if (result.views[0]?.kind !== 'notice' || result.views[0].tone !== 'success') failures++;
    });
    const handlerRate = HANDLER_INCIDENTS / handlerSeconds;
    report('incidents created through the report handler', handlerRate, 'incidents/s');
    report('handler/raw insert ratio', handlerRate / rawRate, '', 2);
    if (commands) {
      // Where a report's commands go, most first (BENCH_CORE_COMMANDS=1: monitoring slows the run a little).
      commands.stop();
      for (const [kind, n] of [...commands.byKind].sort((a, b) => b[1] - a[1])) report(`commands per report: ${kind}`, n / HANDLER_INCIDENTS, '', 2);
    }
    report('report handler failures', failures, '', 0);
    report(`resident memory after ${HANDLER_INCIDENTS} incidents`, rssMegabytes(), 'MB');
  } finally {
    await database.drop();
    await database.close();
  }
}
