import type { App } from '../../../src/app';
import type { Database } from '../../../src/db/connect';
import { startHttpServer, type HttpServer } from '../../../src/server/http-server';
import { mountWebConsole, type WebConsole, type WebConsoleSettings } from '../../../adapters/web/web-console';
import { TestClock, buildApp, silentLogger } from '../factories';

export interface WebHarness {
  app: App;
  console: WebConsole;
  http: HttpServer;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Resolves once the outbox and the timers have nothing in flight. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** opsdesk with its web console on a real HTTP server on this machine. */
export async function startWebHarness(database: Database, clock: TestClock = new TestClock(new Date()), settings: Partial<WebConsoleSettings> = {}): Promise<WebHarness> {
  const app = await buildApp(database, clock);
  let mounted: WebConsole | undefined;
  const http = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    log: silentLogger(),
    databaseReady: database.ping,
    mount: (express) => void (mounted = mountWebConsole(app, express, { host: '127.0.0.1', ...settings })),
  });
  return {
    app,
    console: mounted!,
    http,
    url: `http://127.0.0.1:${http.port}`,
    idle: async () => {
      await app.jobs.wheel.idle();
      await app.jobs.notifier.idle();
    },
    close: async () => {
      mounted?.stop();
      await http.close(1000);
    },
  };
}

/** A call to the console's API as a page acting as `email` would make it. */
export async function consoleCall(url: string, path: string, email: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/console/api${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      'x-opsdesk-act-as': email,
      ...(body === undefined ? {} : { 'content-type': 'application/json', 'x-opsdesk-csrf': 'act-as' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json().catch(() => ({})) };
}
