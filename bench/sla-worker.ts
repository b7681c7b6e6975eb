import express from 'express';
import { createSlackAdapter } from '../adapters/slack/slack-app';
import { startScheduler } from '../jobs/scheduler';
import { createApp } from '../src/app';
import { loadItsmConfig } from '../src/config/load-itsm-config';
import { connectDatabase } from '../src/db/connect';
import { createLogger } from '../src/logger';

/**
 * One opsdesk process of the SLA benchmark: the application, its Slack adapter (posting to the
 * recording Web API) and its scheduler, as `npm start` runs them. It counts the database commands
 * it sends and the wheel ticks it works, and reports them when asked.
 */
async function main(): Promise<void> {
  const [uri = '', dbName = '', apiUrl = '', configPath = ''] = process.argv.slice(2);
  const log = createLogger(process.env.BENCH_LOG_LEVEL ?? 'silent');
  const database = await connectDatabase(uri, dbName, { monitorCommands: true });
  const app = await createApp({ database, config: await loadItsmConfig(configPath), log, fireTimersOnTime: true });
  createSlackAdapter(app, { signingSecret: 'bench-secret', botToken: 'xoxb-bench', apiUrl }, express());

  const counts = { commands: 0, ticks: 0, timers: 0, byKind: {} as Record<string, number> };
  const client = database.connection.getClient();
  const started = new Map<number, string>();
  const count = (kind: string) => void (counts.byKind[kind] = (counts.byKind[kind] ?? 0) + 1);
  client.on('commandStarted', (event) => {
    counts.commands += 1;
    // `find notifications`, `insert timers`…: what the commands per delivered message are spent on.
    const kind = `${event.commandName} ${String((event.command as Record<string, unknown>)[event.commandName] ?? '')}`;
    count(kind);
    started.set(event.requestId, kind);
  });
  // Of those, the inserts refused: an `_id` taken (a claim lost, a slot someone else took), or the storage busy.
  client.on('commandSucceeded', (event) => {
    const kind = started.get(event.requestId);
    started.delete(event.requestId);
    if ((event.reply as { writeErrors?: unknown[] } | undefined)?.writeErrors?.length) count(`${kind} (refused: taken)`);
  });
  client.on('commandFailed', (event) => {
    const kind = started.get(event.requestId);
    started.delete(event.requestId);
    count(`${kind} (failed: ${String(event.failure?.message ?? '').slice(0, 30)})`);
  });
  const wheel = app.jobs.wheel;
  const tick = wheel.tick.bind(wheel);
  wheel.tick = async (shard) => {
    const report = await tick(shard);
    counts.ticks += 1;
    counts.timers += report.timers;
    return report;
  };
  const scheduler = await startScheduler({ db: database.connection.db!, wheel, log });

  process.on('message', (message: { type: string }) => {
    if (message.type === 'counts') process.send?.({ type: 'counts', ...counts });
    if (message.type === 'stop') {
      void scheduler
        .drain(10_000)
        .then(() => database.close())
        .then(() => process.exit(0));
    }
  });
  process.send?.({ type: 'ready' });
}

main().catch((error: unknown) => {
  process.stderr.write(`SLA bench worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
