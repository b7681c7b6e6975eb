import { join } from 'node:path';
import { createApp } from '../src/app';
import { loadItsmConfig } from '../src/config/load-itsm-config';
import { connectDatabase } from '../src/db/connect';
import { createLogger } from '../src/logger';
import { startScheduledWork } from '../src/scheduled-work';
import { startHttpServer } from '../src/server/http-server';
import { StopSteps } from '../src/stop-steps';
import { createSlackAdapter, SLACK_EVENTS_PATH } from '../adapters/slack/slack-app';
import { RecordingSlackApi } from '../test/support/slack/recording-slack-api';
import { SIGNING_SECRET, postToSlackEndpoint } from '../test/support/slack/signed-request';
import { SLACK_USERS } from '../test/support/slack/slack-harness';
import { countCommandsByKind, report } from './measure';
import { benchRequesters, insertClosedHistory, reportOpenIncidents } from './seed-history';
import { kindOf, soakRequest, type SoakPlan } from './soak-traffic';

const PER_KIND = Number(process.env.BENCH_COMMANDS_PER_KIND ?? 60);
const RATE = Number(process.env.BENCH_COMMANDS_RPS ?? 5);
const OPEN = Number(process.env.BENCH_COMMANDS_OPEN ?? 300);
const CLOSED = Number(process.env.BENCH_COMMANDS_CLOSED ?? 10_000);
const IDLE_SECONDS = 30;
const KINDS = ['report', 'click', 'itsm', 'oncall', 'mention', 'home'];

/**
 * What each kind of the soak's requests costs the database, all its work included (the
 * acknowledgement, the work after it, the deliveries it stores, until the desk is at rest again):
 * database commands per request, by command and collection, in one process with the scheduled work.
 * The soak says whether the work keeps up; this says where its database time goes.
 */
export async function runCommandsBench(uri: string): Promise<void> {
  const dbName = `bench_commands_${Date.now()}`;
  const database = await connectDatabase(uri, dbName, { monitorCommands: true });
  const api = new RecordingSlackApi();
  await api.start();
  for (const user of Object.values(SLACK_USERS)) api.users.set(user.id, user);
  const employees = Array.from({ length: 50 }, (_, i) => ({ id: `U0CMDS${String(i).padStart(4, '0')}`, name: `Employee ${i}`, email: `employee${i}@example.com`, tz: 'Asia/Seoul', locale: 'en-US' }));
  for (const user of employees) api.users.set(user.id, user);
  const log = createLogger(process.env.BENCH_LOG_LEVEL ?? 'silent');
  const app = await createApp({ database, config: await loadItsmConfig(join(__dirname, '..', '..', 'opsdesk.example.yml')), log, platformsWithAdapters: ['slack'] });
  const http = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    log,
    databaseReady: database.ping,
    mount: (express) => createSlackAdapter(app, { signingSecret: SIGNING_SECRET, botToken: 'xoxb-commands', apiUrl: api.url }, express),
  });
  const scheduled = await startScheduledWork(app, { takeoverAfterMs: 30_000 });
  const client = database.connection.getClient();
  try {
    const requesters = await benchRequesters(app, 50);
    for (const employee of employees) await app.ctx.people.actorFor({ platform: 'slack', userId: employee.id, email: employee.email, name: employee.name });
    const sam = await app.ctx.people.actorFor({ platform: 'slack', userId: SLACK_USERS.sam.id, email: SLACK_USERS.sam.email });
    const open = await reportOpenIncidents(app, requesters, OPEN, 0, sam);
    await insertClosedHistory(database, open[0] as string, CLOSED);
    await atRest(Number.POSITIVE_INFINITY);
    report('commands bench: open / closed incidents in the database', OPEN, `/ ${CLOSED}`, 0);
    // What the desk sends with no request (the scheduler's polling, the wheel's ticks, the beats),
    // a second: taken from each kind's figures below for the time that kind took.
    const idle = countCommandsByKind(client);
    const idleStarted = Date.now();
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    idle.stop();
    const idleSeconds = (Date.now() - idleStarted) / 1000;
    const background = new Map([...idle.byKind].map(([what, n]) => [what, n / idleSeconds]));
    const backgroundMs = new Map([...idle.msByKind].map(([what, ms]) => [what, ms / idleSeconds]));
    report('commands a second at rest', sum(background.values()), `(${sum(backgroundMs.values()).toFixed(1)} ms of database time a second)`, 1);
    describeKinds(background, idle);
    const plan: SoakPlan = {
      url: `http://127.0.0.1:${http.port}${SLACK_EVENTS_PATH}`,
      ratePerSecond: RATE,
      seconds: 0,
      employees: employees.map((e) => e.id),
      agents: [SLACK_USERS.sam.id, SLACK_USERS.minji.id, SLACK_USERS.alex.id],
      channels: Array.from({ length: 20 }, (_, i) => `C0CMDSCH${String(i).padStart(2, '0')}`),
      incidents: open,
      responseUrl: api.responseUrl('commands'),
    };
    let next = 0;
    for (const kind of KINDS) {
      const indices: number[] = [];
      for (; indices.length < PER_KIND; next++) if (kindOf(next) === kind) indices.push(next);
      const commands = countCommandsByKind(client);
      let failed = 0;
      const started = Date.now();
      await Promise.all(
        indices.map(async (index, k) => {
          await new Promise((r) => setTimeout(r, started + (k * 1000) / RATE - Date.now()));
          const request = soakRequest(plan, index);
          const answer = await postToSlackEndpoint(plan.url, { body: request.body, contentType: request.contentType });
          if (answer.status !== 200) failed++;
        }),
      );
      await atRest(sum(background.values()));
      commands.stop();
      const seconds = (Date.now() - started) / 1000;
      // Less what the desk would have sent at rest in that time.
      const own = new Map([...commands.byKind].map(([what, n]) => [what, Math.max(0, n - (background.get(what) ?? 0) * seconds)]));
      const ownMs = new Map([...commands.msByKind].map(([what, ms]) => [what, Math.max(0, ms - (backgroundMs.get(what) ?? 0) * seconds)]));
      report(`commands per ${kind}`, sum(own.values()) / PER_KIND, `(${(sum(ownMs.values()) / PER_KIND).toFixed(1)} ms of database time; ${failed} not answered 200)`, 1);
      describeKinds(new Map([...own].map(([what, n]) => [what, n / PER_KIND] as const).filter(([, n]) => n >= 0.05)), commands);
    }
  } finally {
    await http.close(2000);
    await app.work.drain(10_000);
    await scheduled.stop(5_000, new StopSteps(log));
    await api.stop();
    await database.drop();
    await database.close();
  }

  /** Each kind's figure, most first, beside what one command of it took. */
  function describeKinds(figures: Map<string, number>, counted: { byKind: Map<string, number>; msByKind: Map<string, number> }): void {
    for (const [what, n] of [...figures].sort((a, b) => b[1] - a[1])) {
      process.stdout.write(`  ${what}: ${n.toFixed(2)} (${((counted.msByKind.get(what) ?? 0) / (counted.byKind.get(what) ?? 1)).toFixed(1)} ms each)\n`);
    }
  }

  function sum(values: Iterable<number>): number {
    let total = 0;
    for (const v of values) total += v;
    return total;
  }

  /** Until the work after the requests is done and no command has been sent for 3 s (deliveries wait their platform's turn). */
  async function atRest(restPerSecond: number): Promise<void> {
    await app.work.drain(60_000);
    let last = -1;
    let sent = 0;
    const count = () => sent++;
    client.on('commandStarted', count);
    try {
      const deadline = Date.now() + 180_000;
      while (Date.now() < deadline) {
        await app.jobs.notifier.idle();
        // No more than the desk sends at rest (its scheduler, its ticks), and a little.
        if (last >= 0 && sent - last <= restPerSecond * 3 * 1.5 + 3) return;
        last = sent;
        await new Promise((r) => setTimeout(r, 3_000));
      }
    } finally {
      client.off('commandStarted', count);
    }
  }
}
