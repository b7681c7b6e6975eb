import { join } from 'node:path';
import { createApp } from '../src/app';
import { loadItsmConfig } from '../src/config/load-itsm-config';
import { connectDatabase } from '../src/db/connect';
import { dispatch } from '../handlers/dispatch';
import { HOME_IDS } from '../handlers/home/my-desk';
import { createLogger } from '../src/logger';
import type { Actor } from '../src/people/people-directory';
import { INCIDENT_IDS } from '../src/views/incident-actions';
import { percentile, report } from './measure';
import { benchRequesters, insertClosedHistory, reportOpenIncidents } from './seed-history';

const SAMPLES = Number(process.env.BENCH_LIST_SAMPLES ?? 200);
const CLOSED = Number(process.env.BENCH_LIST_CLOSED ?? 100_000);
const OPEN = Number(process.env.BENCH_LIST_OPEN ?? 2_000);
/** Open incidents at the last step: a queue left to grow, as in a desk that resolves less than it is sent. */
const LONG_OPEN = Number(process.env.BENCH_LIST_LONG_OPEN ?? 12_000);

type ListName = 'mine' | 'queue' | 'status' | 'home';

/**
 * Lists as history grows: each list's p99 (the handler's whole answer) with about 1,000 incidents
 * in the database, then with 100,000 closed and 2,000 open ones; then with the open ones grown to
 * 12,000, where a list read whole (rather than its page) would show.
 */
export async function runListBench(uri: string): Promise<void> {
  // Monitored, to count the commands a list sends (counted apart from the timed calls).
  const database = await connectDatabase(uri, `bench_lists_${Date.now()}`, { monitorCommands: true });
  try {
    // Timers run when due, as in a desk: a new incident is written into its lists by its `created` job.
    const app = await createApp({ database, config: await loadItsmConfig(join(__dirname, '..', '..', 'opsdesk.example.yml')), log: createLogger('silent') });
    const requesters = await benchRequesters(app, 200);
    const agent = await app.ctx.people.actorFor({ platform: 'web', userId: 'sam.lee@example.com', email: 'sam.lee@example.com' });
    const handlers: Record<ListName, { id: string; actor: (i: number) => Actor; input: object }> = {
      mine: { id: INCIDENT_IDS.mine, actor: (i) => requesters[i % requesters.length] as Actor, input: { page: 1 } },
      queue: { id: INCIDENT_IDS.queue, actor: () => agent, input: { page: 1 } },
      status: { id: INCIDENT_IDS.status, actor: (i) => requesters[i % requesters.length] as Actor, input: {} },
      home: { id: HOME_IDS.desk, actor: () => agent, input: {} },
    };
    const measure = async (): Promise<Record<ListName, number>> => {
      const p99 = {} as Record<ListName, number>;
      for (const [name, h] of Object.entries(handlers) as [ListName, (typeof handlers)[ListName]][]) {
        const times: number[] = [];
        for (let i = 0; i < SAMPLES; i++) {
          const started = performance.now();
          await dispatch(app.ctx, app.registry, app.log, { handlerId: h.id, actor: h.actor(i), input: h.input });
          times.push(performance.now() - started);
        }
        p99[name] = percentile(times.sort((a, b) => a - b), 99);
      }
      return p99;
    };
    // The database commands each list sends, on average over 20 calls (the lists as a process keeps them, read before).
    const commandsPerList = async (): Promise<Record<ListName, number>> => {
      const client = database.connection.getClient();
      const counts = {} as Record<ListName, number>;
      for (const [name, h] of Object.entries(handlers) as [ListName, (typeof handlers)[ListName]][]) {
        let sent = 0;
        const count = () => sent++;
        client.on('commandStarted', count);
        try {
          for (let i = 0; i < 20; i++) await dispatch(app.ctx, app.registry, app.log, { handlerId: h.id, actor: h.actor(i), input: h.input });
        } finally {
          client.off('commandStarted', count);
        }
        counts[name] = sent / 20;
      }
      return counts;
    };

    // About 1,000: half of the open incidents, and as many closed.
    const firstOpen = await reportOpenIncidents(app, requesters, OPEN / 2);
    await app.jobs.wheel.idle();
    await insertClosedHistory(database, firstOpen[0] as string, 1000 - OPEN / 2);
    // What the lists hold is what they cost: an empty queue would measure nothing.
    const queued = async () => (await app.ctx.incidents.queueOf(agent.groups, 0, 15)).total;
    process.stdout.write(`open incidents in the agent's queue at 1k: ${await queued()}\n`);
    const small = await measure();
    process.stdout.write(`list p99 at 1k (mine / queue / status / home): ${fmt(small)} ms\n`);

    const started = performance.now();
    await reportOpenIncidents(app, requesters, OPEN / 2, OPEN / 2);
    await app.jobs.wheel.idle();
    await insertClosedHistory(database, firstOpen[0] as string, CLOSED - (1000 - OPEN / 2), 1000 - OPEN / 2);
    process.stderr.write(`history of ${CLOSED} closed and ${OPEN} open incidents written in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
    process.stdout.write(`open incidents in the agent's queue at 100k: ${await queued()}\n`);
    const large = await measure();
    process.stdout.write(`list p99 at 100k (mine / queue / status / home): ${fmt(large)} ms\n`);
    process.stdout.write(`database commands per list at 100k (mine / queue / status / home): ${fmt(await commandsPerList())}\n`);
    const ratio = Math.max(...(Object.keys(large) as ListName[]).map((k) => large[k] / small[k]));
    report('ratio of list p99 at 100k to list p99 at 1k', ratio, '(the largest of the four)', 2);

    const grown = performance.now();
    await reportOpenIncidents(app, requesters, LONG_OPEN - OPEN, OPEN);
    await app.jobs.wheel.idle();
    process.stderr.write(`${LONG_OPEN - OPEN} more open incidents written in ${((performance.now() - grown) / 1000).toFixed(0)} s\n`);
    process.stdout.write(`open incidents in the agent's queue with ${LONG_OPEN} open: ${await queued()}\n`);
    const long = await measure();
    process.stdout.write(`list p99 at 100k with ${LONG_OPEN} open (mine / queue / status / home): ${fmt(long)} ms\n`);
    process.stdout.write(`database commands per list with ${LONG_OPEN} open (mine / queue / status / home): ${fmt(await commandsPerList())}\n`);
    const growth = Math.max(...(Object.keys(large) as ListName[]).map((k) => long[k] / large[k]));
    report(`ratio of list p99 with ${LONG_OPEN} open to list p99 with ${OPEN} open`, growth, '(the largest of the four)', 2);
  } finally {
    await database.drop();
    await database.close();
  }
}

const fmt = (p99: Record<ListName, number>) => [p99.mine, p99.queue, p99.status, p99.home].map((v) => v.toFixed(1)).join(' / ');
