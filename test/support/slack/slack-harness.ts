import type { App } from '../../../src/app';
import type { Database } from '../../../src/db/connect';
import { startHttpServer, type HttpServer } from '../../../src/server/http-server';
import { createSlackAdapter, SLACK_EVENTS_PATH, type SlackAdapter, type SlackSettings } from '../../../adapters/slack/slack-app';
import { TestClock, buildApp, recordingLogger, silentLogger } from '../factories';
import { eventually } from '../eventually';
import { RecordingSlackApi } from './recording-slack-api';
import { SIGNING_SECRET } from './signed-request';

export const SLACK_USERS = {
  jamie: { id: 'U00FAKEUSR1', name: 'Jamie Song', email: 'jamie.song@example.com', tz: 'Asia/Seoul', locale: 'en-US' },
  minji: { id: 'U00FAKEUSR2', name: 'Minji Kim', email: 'minji.kim@example.com', tz: 'Asia/Seoul', locale: 'ko-KR' },
  sam: { id: 'U00FAKESAM1', name: 'Sam Lee', email: 'sam.lee@example.com', tz: 'Asia/Seoul', locale: 'en-US' },
  alex: { id: 'U00FAKEALX1', name: 'Alex Park', email: 'alex.park@example.com', tz: 'Asia/Seoul', locale: 'en-US' },
  taylor: { id: 'U00FAKETAY1', name: 'Taylor Yoon', email: 'taylor.yoon@example.com', tz: 'America/New_York', locale: 'en-US' },
  /** Jamie's manager, an approver. */
  robin: { id: 'U00FAKEROB1', name: 'Robin Han', email: 'robin.han@example.com', tz: 'Asia/Seoul', locale: 'en-US' },
  /** A change manager on the CAB. */
  jordan: { id: 'U00FAKEJOR1', name: 'Jordan Choi', email: 'jordan.choi@example.com', tz: 'Asia/Seoul', locale: 'en-US' },
  /** A service desk manager: the laptop's approval falls to them for someone without a manager. */
  casey: { id: 'U00FAKECAS1', name: 'Casey Lim', email: 'casey.lim@example.com', tz: 'Asia/Seoul', locale: 'en-US' },
  /** A new employee: known to Slack, in no configuration. */
  newcomer: { id: 'U00FAKENEW1', name: 'Noa Newcomer', email: 'noa.newcomer@example.com', tz: 'Asia/Seoul', locale: 'en-US' },
} as const;

export interface SlackHarness {
  app: App;
  /** What the app logged (info and above). */
  logs: Record<string, unknown>[];
  api: RecordingSlackApi;
  http: HttpServer;
  url: string;
  /**
   * Resolves once Bolt is working on no request and the outbox has nothing in flight: Bolt's
   * processEvent returns only when every listener has, work after the acknowledgement included, and
   * it starts before the acknowledgement is sent. So once a request has been answered, `idle()`
   * means its work is over: what it was to post is posted, what it was to store is stored (for
   * negative checks).
   */
  idle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** opsdesk with its Slack adapter on a real HTTP server, the Slack Web API replaced by a recorder. */
export async function startSlackHarness(
  database: Database,
  clock: TestClock = new TestClock(new Date()),
  settings: Pick<SlackSettings, 'overload'> = {},
): Promise<SlackHarness> {
  const api = new RecordingSlackApi();
  await api.start();
  for (const user of Object.values(SLACK_USERS)) api.users.set(user.id, user);
  const { log, entries } = recordingLogger();
  const app = await buildApp(database, clock, undefined, log);
  let adapter: SlackAdapter | undefined;
  const http = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    log: silentLogger(),
    databaseReady: database.ping,
    mount: (express) => void (adapter = createSlackAdapter(app, { signingSecret: SIGNING_SECRET, botToken: 'xoxb-test', apiUrl: api.url, ...settings }, express)),
  });
  const inBolt = countInBolt(adapter!.bolt);
  return {
    app,
    logs: entries,
    api,
    http,
    url: `http://127.0.0.1:${http.port}${SLACK_EVENTS_PATH}`,
    idle: async (timeoutMs = 5000) => {
      await eventually(() => inBolt() === 0, timeoutMs);
      // What the requests set off at once (a new incident's watch, its pages), and what they stored in the outbox, posted.
      await app.jobs.wheel.idle();
      await app.jobs.notifier.idle();
    },
    close: async () => {
      await http.close(1000);
      await api.stop();
    },
  };
}

/** Counts the requests Bolt is processing: the count now, read through the function returned. */
export function countInBolt(bolt: SlackAdapter['bolt']): () => number {
  let inBolt = 0;
  const processEvent = bolt.processEvent.bind(bolt);
  bolt.processEvent = async (event) => {
    inBolt += 1;
    try {
      return await processEvent(event);
    } finally {
      inBolt -= 1;
    }
  };
  return () => inBolt;
}

/** Waits until the app has logged that it ignored a retried delivery of the request `key`. */
export function retryIgnored(slack: SlackHarness, key: string): Promise<void> {
  return eventually(() => slack.logs.some((entry) => entry.requestKey === key && String(entry.msg).startsWith('Slack request already handled')));
}

export { eventually };
