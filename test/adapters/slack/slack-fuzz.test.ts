import { App as BoltApp } from '@slack/bolt';
import type { Database } from '../../../src/db/connect';
import { judgeSlackRequest } from '../../../adapters/slack/http/slack-request-gate';
import { slackRoutes } from '../../../adapters/slack/listeners/routes';
import { HandlerRegistry } from '../../../handlers/index';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';
import { eventually, startSlackHarness, type SlackHarness } from '../../support/slack/slack-harness';
import {
  FUZZ_SEED,
  SLACK_FUZZ_KINDS,
  describeRequest,
  malformedRequests,
  sendAllSigned,
  type FuzzOutcome,
  type SlackFuzzKind,
} from '../../support/slack/malformed-payloads';

const SLACK_ROUTES = slackRoutes(new HandlerRegistry());

/**
 * Every kind of request Slack sends, taken from the real payloads in test/fixtures/slack and broken
 * in seeded ways (test/support/slack/malformed-payloads.ts: the fields Bolt and our listeners read
 * and any other path, wrong types, prototype keys, long and ill-formed strings, bytes that are not
 * UTF-8, duplicated form keys, payloads that are not JSON, wrong content types), each correctly
 * signed. The edge must answer every one below 500, stay up, and store nothing but a person's
 * first contact and the claim of each request. FUZZ_REPORT=1 prints the answers by kind, the slow
 * ones, and what the app logged after acknowledging.
 */

/** Per kind; every one correctly signed over its bytes. */
const PER_KIND = 2_000;
const CONCURRENCY = 16;
/** A person's first contact (people, their Slack identity) and the claim of each request are the only writes allowed. */
const MAY_GROW = new Set(['people', 'platform_identities', 'record_keys']);
/** What answering a mention stores: the answer in the outbox, its attempts, their timers and turns. */
const MENTION_ANSWERS = new Set(['notifications', 'notification_attempts', 'timers', 'timer_index', 'pace_slots']);

async function countEveryCollection(database: Database): Promise<Record<string, number>> {
  const db = database.connection.db;
  if (!db) throw new Error('not connected');
  const counts: Record<string, number> = {};
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) counts[name] = await db.collection(name).countDocuments();
  return counts;
}

describe('Slack edge under signed malformed requests (seeded fuzz from the real payloads)', () => {
  let database: Database;
  let slack: SlackHarness;
  let before: Record<string, number>;
  const outcomes: FuzzOutcome[] = [];

  /**
   * Bolt answers 500 when it throws before any listener, and logs no stack: what it threw is kept
   * here (by the body our gate handed it) so that a 5xx is reported with its cause.
   */
  const boltThrew = new Map<string, string>();
  const processEvent = BoltApp.prototype.processEvent;
  /**
   * Requests Bolt is still working on. Bolt's processEvent returns once every listener has, and a
   * listener returns once its work after the acknowledgement is done; it is called before the
   * acknowledgement is sent, so with every answer in, 0 means all the work is over.
   */
  let inBolt = 0;

  beforeAll(async () => {
    jest.spyOn(BoltApp.prototype, 'processEvent').mockImplementation(async function (this: BoltApp, event) {
      inBolt += 1;
      try {
        return await processEvent.call(this, event);
      } catch (error) {
        boltThrew.set(JSON.stringify(event.body), error instanceof Error ? (error.stack ?? error.message) : String(error));
        throw error;
      } finally {
        inBolt -= 1;
      }
    });
    database = await openTestDatabase('slack_fuzz');
    slack = await startSlackHarness(database);
    before = await countEveryCollection(database);
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await slack.close();
    await dropTestDatabase(database);
  });

  /** What the app logged at error level after acknowledging (not a 5xx: the person was told an error id). */
  const loggedFailures = () =>
    slack.logs
      .filter((entry) => Number(entry.level) >= 50)
      .map((entry) => `${String(entry.msg)}${entry.err ? `: ${String((entry.err as { stack?: string }).stack ?? entry.err).split('\n').slice(0, 3).join(' ← ')}` : ''}`)
      .filter((line, i, all) => all.indexOf(line) === i);

  /** The request, what it was answered, and what threw (Bolt's stack, found by the body the gate passed on). */
  function explain(outcome: FuzzOutcome): string {
    const { request } = outcome;
    const verdict = judgeSlackRequest(request.contentType ?? '', request.body.toString('utf8'), SLACK_ROUTES);
    const stack = verdict.kind === 'pass' ? boltThrew.get(JSON.stringify(verdict.body)) : undefined;
    const cut = (line: string) => (line.length > 300 ? `${line.slice(0, 300)}…` : line);
    const cause = stack ? stack.split('\n').slice(0, 4).map(cut).join(' ← ') : `gate verdict ${verdict.kind}, no stack recorded`;
    return `${outcome.status || outcome.error} ${outcome.text.slice(0, 200)} ← ${describeRequest(request)}\n    threw: ${cause}`;
  }

  it.each(SLACK_FUZZ_KINDS.map((kind) => [kind]))(
    `answers ${PER_KIND} malformed %s requests without a 5xx`,
    async (kind: SlackFuzzKind) => {
      const requests = malformedRequests(kind, PER_KIND, { responseUrl: slack.api.responseUrl('fuzz'), seed: FUZZ_SEED });
      expect(requests).toHaveLength(PER_KIND);
      const answered = await sendAllSigned(slack.url, requests, { concurrency: CONCURRENCY });
      outcomes.push(...answered);
      // A 5xx, or no answer at all (the connection dropped or hung), is a failure of the edge.
      const failed = answered.filter((o) => o.status >= 500 || o.status === 0);
      expect(failed.map(explain)).toEqual([]);
    },
    120_000,
  );

  it('is alive afterwards and has stored nothing but first contacts, request claims, the answers to mentions and failures told', async () => {
    expect(outcomes.length).toBe(PER_KIND * SLACK_FUZZ_KINDS.length);
    // The work after each acknowledgement runs on its own: every request answered, wait until
    // Bolt has finished working on all of them.
    await eventually(() => inBolt === 0, 60_000);
    // And the work after the acknowledgements (which clears each from the intake) and its deliveries.
    expect((await slack.app.work.drain(60_000)).running).toBe(0);
    await slack.idle(60_000);
    const health = await fetch(`http://127.0.0.1:${slack.http.port}/healthz`);
    expect(health.status).toBe(200);

    // Every request accepted into the intake has had its work done, or been told it failed.
    const leftInIntake = await database.models.Intake.find().lean();
    expect(leftInIntake.map((r) => `${r._id} (${r.owner}): ${r.payload.slice(0, 300)}`)).toEqual([]);
    const after = await countEveryCollection(database);
    const changed = Object.keys({ ...before, ...after })
      .filter((name) => !MAY_GROW.has(name) && !MENTION_ANSWERS.has(name) && (before[name] ?? 0) !== (after[name] ?? 0))
      .map((name) => `${name}: ${before[name] ?? 0} → ${after[name] ?? 0}`);
    expect(changed).toEqual([]);
    // A mention Slack could have sent is answered in its thread, and a person whose request failed
    // after its acknowledgement is told so privately (both through the outbox); nothing else was.
    const stored = await database.models.Notification.find().lean();
    const mentionAnswer = (n: (typeof stored)[number]) => n.reason.startsWith('reply.event:') && n.audience.kind === 'reply' && n.audience.thread;
    const failureTold = (n: (typeof stored)[number]) => n.reason.startsWith('reply.failed.') && n.audience.kind === 'reply' && !n.audience.thread && n.views?.length === 1 && n.views[0]!.kind === 'notice';
    expect(stored.filter((n) => !mentionAnswer(n) && !failureTold(n))).toEqual([]);

    if (process.env.FUZZ_REPORT) {
      const byKind: Record<string, Record<number, number>> = {};
      for (const o of outcomes) {
        const kind = (byKind[o.request.kind] ??= {});
        kind[o.status] = (kind[o.status] ?? 0) + 1;
      }
      const slow = outcomes.filter((o) => o.ms > 2_500).map((o) => `${o.status} ${o.ms.toFixed(0)} ms ← ${describeRequest(o.request, 400)}`);
      const fiveXX = outcomes.filter((o) => o.status >= 500).map(explain);
      process.stdout.write(`${JSON.stringify({ byKind, before, after, slow: slow.slice(0, 20), slowCount: slow.length, logged: loggedFailures(), fiveXX }, null, 2)}\n`);
    }
  }, 90_000);
});
