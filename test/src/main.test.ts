import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { ensureEmbeddedDbBinary, spawnEmbeddedDb } from '../../src/db/embedded-db';
import { stopDeadlineMs } from '../../src/stop-steps';
import { RecordingSlackApi } from '../support/slack/recording-slack-api';
import { SIGNING_SECRET } from '../support/slack/signed-request';

/** A direct message as Teams sends it (test/fixtures/teams), from the tenant the process is set up for. */
const TEAMS_MESSAGE = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'teams', 'message_personal.json'), 'utf8')) as { channelData: { tenant: { id: string } } };

/** `npm start` runs the build (pretest builds it too): these tests start the real process. */
const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');
const ROOT = join(__dirname, '..', '..');

/** Every process a test started: one a failed test left running is killed after it. */
const started: ChildProcessWithoutNullStreams[] = [];

function start(env: Record<string, string>): ChildProcessWithoutNullStreams {
  const { MONGODB_URI: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env: { ...inherited, ...env } });
  started.push(child);
  return child;
}

/** The address the process says it listens on; every log line it writes is kept in `lines`. */
function listeningUrl(child: ChildProcessWithoutNullStreams, lines: Record<string, unknown>[]): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in ${JSON.stringify(lines)}`)), 25_000);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the process exited (${String(code)}) before listening: ${stderr}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      lines.push(entry);
      if (typeof entry.url === 'string') {
        clearTimeout(timer);
        resolve(entry.url);
      }
    });
  });
}

function waitForExit(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('opsdesk process', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdesk-main-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  afterEach(async () => {
    for (const child of started.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = waitForExit(child);
      child.kill('SIGKILL');
      await exited;
    }
  });

  it('refuses to start on a bad configuration file: exit 1, every problem listed, no stack trace', async () => {
    const config = join(dir, 'bad.yml');
    await writeFile(
      config,
      [
        'calendars: [{ key: office, timeZone: Europe/Atlantis, workingHours: { mon: "09:00-18:00" } }]',
        'slaPolicies: [{ key: std, calendar: office, targets: { P1: { respond: 15m, resolve: soon }, P2: { respond: 1h, resolve: 8h }, P3: { respond: 4h, resolve: 3d }, P4: { respond: 1d, resolve: 10d } } }]',
        'groups: [{ key: desk, name: Desk, members: [] }]',
        'services: [{ key: mail, name: Mail, supportGroup: desk, slaPolicy: std }]',
      ].join('\n'),
    );
    const child = start({ OPSDESK_CONFIG: config, OPSDESK_DATA_DIR: join(dir, 'data') });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await waitForExit(child)).toBe(1);
    expect(stderr).toContain('opsdesk cannot start.');
    expect(stderr).toContain('calendars[0].timeZone: expected an IANA time zone such as "Asia/Seoul"');
    expect(stderr).toContain('slaPolicies[0].targets.P1.resolve: expected a duration like "4h"');
    expect(stderr).toContain('groups[0].members: expected at least one member');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a bad environment the same way', async () => {
    const child = start({ PORT: 'http', OPSDESK_DATA_DIR: join(dir, 'data') });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await waitForExit(child)).toBe(1);
    expect(stderr).toContain('PORT: expected a port number');
  });

  it('starts on the embedded database, answers /healthz and /readyz, and stops cleanly on SIGTERM', async () => {
    const child = start({ PORT: '0', OPSDESK_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'info' });
    const lines: Record<string, unknown>[] = [];
    const exited = waitForExit(child);
    const url = await listeningUrl(child, lines);
    expect(lines.some((l) => String(l.database).startsWith('embedded FerretDB 1.24 at mongodb://127.0.0.1:'))).toBe(true);
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await fetch(`${url}/nowhere`)).status).toBe(404);
    // The newcomer's way in: the console at /, with sample tickets on the empty database.
    const page = await fetch(`${url}/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('/console/assets/console.js');
    expect(lines.find((l) => Array.isArray(l.samples))?.samples).toEqual([expect.stringMatching(/^INC/), expect.stringMatching(/^INC/), expect.stringMatching(/^INC/), expect.stringMatching(/^REQ/), expect.stringMatching(/^CHG/)]);
    expect(lines.some((l) => l.console === 'act-as')).toBe(true);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['stopped']));
  });

  it('stops cleanly when SIGTERM goes to `npm start` (as a process manager sends it), not only to node', async () => {
    const { MONGODB_URI: _ignored, ...inherited } = process.env;
    // A group of its own: whatever the test leaves running, the group's SIGKILL ends it.
    const npm = spawn('npm', ['start', '--silent'], { cwd: ROOT, detached: true, env: { ...inherited, PORT: '0', OPSDESK_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'info' } });
    try {
      const lines: Record<string, unknown>[] = [];
      const exited = waitForExit(npm);
      const url = await listeningUrl(npm, lines);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      npm.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['stopped']));
      // Nothing of it still answers: node itself stopped, it was not left running without its parent.
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    } finally {
      try {
        process.kill(-npm.pid!, 'SIGKILL');
      } catch {
        // The group is gone: everything in it stopped.
      }
    }
  }, 60_000);

  it('Ctrl-C in its terminal (SIGINT to the whole process group): the embedded database outlives the stop, not killed beside it', async () => {
    const { MONGODB_URI: _ignored, ...inherited } = process.env;
    const npm = spawn('npm', ['start', '--silent'], { cwd: ROOT, detached: true, env: { ...inherited, PORT: '0', OPSDESK_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'info' } });
    try {
      const lines: Record<string, unknown>[] = [];
      const exited = waitForExit(npm);
      await listeningUrl(npm, lines);
      // The embedded server runs, outside the group a terminal signals (-ww: lines not cut at the terminal's width).
      const servers = execFileSync('ps', ['-ww', '-eo', 'pid=,pgid=,args='], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.includes('opsdesk-embedded-db') && line.includes(join(dir, 'data')))
        .map((line) => line.trim().split(/\s+/).slice(0, 2).map(Number) as [number, number]);
      expect(servers).toHaveLength(1);
      const [serverPid, serverGroup] = servers[0]!;
      expect(serverGroup).not.toBe(npm.pid);
      // A terminal sends the signal to every process of its foreground group at once.
      process.kill(-npm.pid!, 'SIGINT');
      await exited;
      const said = lines.map((l) => String(l.msg));
      expect(said).toEqual(expect.arrayContaining(['stopped']));
      expect(said.filter((m) => m.startsWith('the embedded database'))).toEqual([]);
      expect(lines.filter((l) => Number(l.level) >= 40).map((l) => l.msg)).toEqual([]);
      // Stopped last by opsdesk itself: not left running outside the group.
      expect(() => process.kill(serverPid, 0)).toThrow();
    } finally {
      try {
        process.kill(-npm.pid!, 'SIGKILL');
      } catch {
        // The group is gone: everything in it stopped.
      }
    }
  }, 60_000);

  /**
   * Starts opsdesk on a database server of its own (with `env` beside), kills that server, sends
   * SIGTERM: what it exited with, how long it took, every log line and its stderr.
   */
  async function stopAfterDatabaseGone(name: string, env: Record<string, string> = {}) {
    const dataDir = join(dir, name);
    await mkdir(dataDir);
    const db = await spawnEmbeddedDb({ binary: await ensureEmbeddedDbBinary(() => {}), dataDir }, '127.0.0.1:0');
    try {
      const child = start({ PORT: '0', MONGODB_URI: db.uri, OPSDESK_STOP_GRACE_SECONDS: '1', LOG_LEVEL: 'info', ...env });
      const lines: Record<string, unknown>[] = [];
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = waitForExit(child);
      // Its output read to the end (the exit can come before the last lines are read).
      const closed = once(child, 'close');
      const url = await listeningUrl(child, lines);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      db.child.kill('SIGKILL');
      await once(db.child, 'exit');
      const sent = Date.now();
      child.kill('SIGTERM');
      const code = await exited;
      const tookMs = Date.now() - sent;
      await closed;
      const failed = lines.filter((l) => l.msg === 'a step of the stop failed; the others still run');
      return { code, tookMs, lines, failed, stderr };
    } finally {
      db.child.kill('SIGKILL');
    }
  }

  it('stops in time when SIGTERM comes after its database went away: every step tried, each failure said, exit 1, no crash', async () => {
    const { code, tookMs, lines, failed, stderr } = await stopAfterDatabaseGone('gone');
    expect(code).toBe(1);
    // Within twice the grace and 30 s, whatever it waited for.
    expect(tookMs).toBeLessThan(stopDeadlineMs(1_000));
    expect(failed.map((l) => l.waitingFor)).toContain('the intake to hand over');
    expect(lines.filter((l) => String(l.msg).startsWith('stopped'))).toEqual([expect.objectContaining({ msg: 'stopped, some steps failed (logged above)', exitCode: 1 })]);
    // Before: the first failed write ended the process as an unhandled rejection, its stack on stderr.
    expect(stderr).not.toMatch(/MongoNetworkError|Node\.js v/);
  }, 60_000);

  it("with Slack's work thread, the thread's stop too: each of its failed steps said, exit 1, no crash", async () => {
    const api = new RecordingSlackApi();
    await api.start();
    try {
      const { code, tookMs, lines, failed, stderr } = await stopAfterDatabaseGone('gone-with-thread', {
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_API_URL: api.url,
      });
      expect(code).toBe(1);
      expect(tookMs).toBeLessThan(stopDeadlineMs(1_000));
      // Said by the thread itself, which went on to its last steps (before: the first failure ended
      // the thread, and nobody said so)…
      expect(failed.filter((l) => l.thread === 'slack-work').map((l) => l.waitingFor)).toContain('the intake to hand over');
      // …and by the process, whose step waiting for the thread failed with it.
      expect(failed.filter((l) => l.thread === undefined).map((l) => l.waitingFor)).toContain('the Slack work thread to stop');
      expect(lines.filter((l) => String(l.msg).startsWith('stopped'))).toEqual([expect.objectContaining({ msg: 'stopped, some steps failed (logged above)', exitCode: 1 })]);
      expect(stderr).not.toMatch(/MongoNetworkError|Node\.js v/);
    } finally {
      await api.stop();
    }
  }, 90_000);

  it('with Teams configured, loads its adapter and refuses a message without the Bot Connector\'s token', async () => {
    const child = start({
      PORT: '0',
      OPSDESK_DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'info',
      MICROSOFT_APP_ID: '00000000-0000-0000-0000-0000000000a1',
      MICROSOFT_APP_PASSWORD: 'not-a-real-secret',
      MICROSOFT_APP_TENANT_ID: TEAMS_MESSAGE.channelData.tenant.id,
    });
    const lines: Record<string, unknown>[] = [];
    const exited = waitForExit(child);
    const url = await listeningUrl(child, lines);
    expect(lines.find((l) => l.msg === 'platforms')?.teams).toEqual(expect.any(String));
    expect(lines.find((l) => l.msg === 'platforms')?.teams).not.toMatch(/^not configured/);
    const unsigned = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(TEAMS_MESSAGE) });
    expect(unsigned.status).toBe(401);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  describe('refuses to start with one line saying what is wrong and what to do (exit 1, no stack trace)', () => {
    /** Runs the process to its exit: its code and what it wrote to stderr. */
    async function refusal(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
      const child = start({ PORT: '0', OPSDESK_DATA_DIR: join(dir, 'data'), ...env });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      return { code: await waitForExit(child), stderr };
    }
    const oneLine = (stderr: string) => stderr.trim().split('\n');
    const listening = async (handler?: RequestListener): Promise<{ server: Server; port: number }> => {
      const server = createServer(handler);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { server, port: (server.address() as AddressInfo).port };
    };
    /** A port nothing listens on (listened on, then closed). */
    const closedPort = async (): Promise<number> => {
      const { server, port } = await listening();
      await new Promise((resolve) => server.close(resolve));
      return port;
    };

    it('a Slack signing secret without a bot token', async () => {
      const { code, stderr } = await refusal({ SLACK_SIGNING_SECRET: 'secret' });
      expect(code).toBe(1);
      expect(oneLine(stderr)).toEqual([expect.stringMatching(/^opsdesk cannot start: SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is not: set the Bot User OAuth Token/)]);
    });

    it('a bot token Slack refuses', async () => {
      const slack = await listening((_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ ok: false, error: 'invalid_auth' }));
      });
      try {
        const { code, stderr } = await refusal({ SLACK_SIGNING_SECRET: 'secret', SLACK_BOT_TOKEN: 'xoxb-revoked', SLACK_API_URL: `http://127.0.0.1:${slack.port}/api/` });
        expect(code).toBe(1);
        expect(oneLine(stderr)).toEqual([expect.stringMatching(/^opsdesk cannot start: Slack refused SLACK_BOT_TOKEN \(invalid_auth\): copy the Bot User OAuth Token/)]);
      } finally {
        slack.server.close();
      }
    });

    it('Slack unreachable at start', async () => {
      const { code, stderr } = await refusal({ SLACK_SIGNING_SECRET: 'secret', SLACK_BOT_TOKEN: 'xoxb-1', SLACK_API_URL: `http://127.0.0.1:${await closedPort()}/api/` });
      expect(code).toBe(1);
      expect(oneLine(stderr)).toEqual([expect.stringMatching(/^opsdesk cannot start: Slack cannot be reached at http:\/\/127\.0\.0\.1:\d+\/api\/ \(fetch failed\): check this machine's network/)]);
    });

    it('the port already in use', async () => {
      const taken = await listening();
      try {
        const { code, stderr } = await refusal({ PORT: String(taken.port) });
        expect(code).toBe(1);
        expect(oneLine(stderr)).toEqual([`opsdesk cannot start: 127.0.0.1:${taken.port} is already in use: stop what listens there, or set PORT to a free port`]);
      } finally {
        taken.server.close();
      }
    });

    it('an unreachable MONGODB_URI, its password left out', async () => {
      const port = await closedPort();
      const { code, stderr } = await refusal({ MONGODB_URI: `mongodb://opsdesk:hunter2@127.0.0.1:${port}/opsdesk` });
      expect(code).toBe(1);
      expect(oneLine(stderr)).toEqual([
        `opsdesk cannot start: cannot reach the database at mongodb://opsdesk:***@127.0.0.1:${port}/opsdesk within 10 s (connect ECONNREFUSED 127.0.0.1:${port}): start it or correct MONGODB_URI, or leave MONGODB_URI unset to use the embedded database`,
      ]);
    }, 30_000);

    it('a web console exposed beyond this machine without sign-in', async () => {
      const { code, stderr } = await refusal({ HOST: '0.0.0.0' });
      expect(code).toBe(1);
      expect(oneLine(stderr)).toEqual([expect.stringMatching(/^opsdesk cannot start: HOST=0\.0\.0\.0 exposes the web console, which offers acting as anyone without sign-in: set OPSDESK_CONSOLE_SIGN_IN=tokens/)]);
    }, 30_000);

    it('a PostgreSQL URL naming a database that does not exist', async () => {
      const postgres = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
      const { code, stderr } = await refusal({ OPSDESK_EMBEDDED_DB_PG: `${postgres}/opsdesk_no_such_database`, OPSDESK_DATA_DIR: join(dir, 'pg-data') });
      expect(code).toBe(1);
      expect(oneLine(stderr)).toEqual(['opsdesk cannot start: PostgreSQL has no database "opsdesk_no_such_database" (OPSDESK_EMBEDDED_DB_PG): create it (createdb opsdesk_no_such_database) or name one that exists']);
    }, 30_000);
  });
});
