import { join } from 'node:path';
import express from 'express';
import { createSlackAdapter } from '../adapters/slack/slack-app';
import { dispatch } from '../handlers/dispatch';
import { startScheduler } from '../jobs/scheduler';
import { createApp } from '../src/app';
import { loadItsmConfig } from '../src/config/load-itsm-config';
import { connectDatabase } from '../src/db/connect';
import { createLogger } from '../src/logger';
import { INCIDENT_IDS } from '../src/views/incident-actions';
import { RecordingSlackApi, type RecordedCall } from '../test/support/slack/recording-slack-api';
import { percentile, report } from './measure';

const REPORTS = Number(process.env.BENCH_PAGE_REPORTS ?? 200);
const PER_SECOND = 2;
const CONFIG = join(__dirname, '..', '..', 'opsdesk.example.yml');
/** P1s of the two services whose groups have an on-call rota, in turn. */
const SERVICES = ['vpn', 'email'];

const users = [
  { id: 'U0MINJI', name: 'Minji Kim', email: 'minji.kim@example.com' },
  { id: 'U00FAKESAM1', name: 'Sam Lee', email: 'sam.lee@example.com' },
  { id: 'U00FAKEALX1', name: 'Alex Park', email: 'alex.park@example.com' },
  { id: 'U00FAKEUSR1', name: 'Jamie Song', email: 'jamie.song@example.com' },
];

/**
 * How soon the on-call hears of a P1: REPORTS P1 incidents reported at PER_SECOND (as the report
 * handler stores them, with their cards and lines posted as the Slack adapter posts them), in one
 * process with its scheduler; latency from the report to the on-call's direct message accepted by
 * the recording Slack Web API, which enforces Slack's rate limits.
 */
export async function runPageBench(uri: string): Promise<void> {
  const database = await connectDatabase(uri, `bench_page_${Date.now()}`);
  const api = new RecordingSlackApi();
  await api.start();
  for (const user of users) api.users.set(user.id, user);
  const log = createLogger(process.env.BENCH_LOG_LEVEL ?? 'silent');
  const app = await createApp({ database, config: await loadItsmConfig(CONFIG), log });
  createSlackAdapter(app, { signingSecret: 'bench-secret', botToken: 'xoxb-bench', apiUrl: api.url }, express());
  const scheduler = await startScheduler({ db: database.connection.db!, wheel: app.jobs.wheel, log });
  try {
    const reporter = await app.ctx.people.actorFor({ platform: 'slack', userId: 'U00FAKEUSR1', email: 'jamie.song@example.com' });
    const reportedAt = new Map<string, number>();
    const started = Date.now();
    const pending: Promise<void>[] = [];
    for (let i = 0; i < REPORTS; i++) {
      await new Promise((r) => setTimeout(r, Math.max(0, started + (i * 1000) / PER_SECOND - Date.now())));
      const at = Date.now();
      pending.push(
        (async () => {
          const result = await dispatch(app.ctx, app.registry, app.log, {
            handlerId: INCIDENT_IDS.report,
            actor: reporter,
            input: { summary: `P1 bench ${i}`, service: SERVICES[i % SERVICES.length], impact: 'high', urgency: 'high' },
          });
          const number = result.announcements[0]?.recordId;
          if (number) reportedAt.set(number, at);
          await app.jobs.notifier.announce(result.announcements);
        })(),
      );
    }
    await Promise.all(pending);

    // The page itself, or the message listing a person's pages once they come faster than Slack
    // lets through one at a time (posted, or edited to add it).
    const inDm = (c: RecordedCall) => (c.ts ? c.channel : String(c.args.channel))?.startsWith('D');
    const pageOf = (number: string) =>
      api.calls.find(
        (c) =>
          ((c.method === 'chat.postMessage' && c.ts) || (c.method === 'chat.update' && !c.limited)) &&
          inDm(c) &&
          (String((c.args.metadata as { event_payload?: { notification_id?: string } } | undefined)?.event_payload?.notification_id ?? '').startsWith(`${number}:escalation.0:`) ||
            String(c.args.text ?? '').includes(number)),
      );
    const deadline = Date.now() + 120_000;
    while ([...reportedAt.keys()].some((n) => !pageOf(n)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const isDigest = (c: RecordedCall) => {
      const metadata = c.args.metadata as { event_type?: string; event_payload?: { notification_ids?: string } } | undefined;
      return c.method === 'chat.update' || metadata?.event_type === 'opsdesk_digest' || metadata?.event_payload?.notification_ids !== undefined;
    };
    const folded = [...reportedAt.keys()].filter((n) => {
      const page = pageOf(n);
      return page !== undefined && isDigest(page);
    }).length;
    const latencies = [...reportedAt].flatMap(([number, at]) => {
      const page = pageOf(number);
      return page ? [page.at - at] : [];
    }).sort((a, b) => a - b);

    report('page bench: P1 incidents reported', reportedAt.size, `at ${PER_SECOND}/s`, 0);
    report('page bench: on-call pages delivered', latencies.length, `of ${reportedAt.size}`, 0);
    report('page latency p50 (P1 reported → on-call DM delivered)', percentile(latencies, 50), 'ms', 0);
    // Named as the issue names it, so runs can be compared.
    report('page latency p99 (P1 reported → on-call DM delivered)', percentile(latencies, 99), 'ms', 0);
    process.stdout.write(`page bench: pages sent on their own / listed in a message of pages: ${latencies.length - folded} / ${folded}\n`);
    report('page bench: slack 429 answers', api.limitedCalls.length, '', 0);
  } finally {
    await scheduler.drain(5_000);
    await app.jobs.notifier.stop(5_000);
    await api.stop();
    await database.drop().catch(() => {});
    await database.close();
  }
}
