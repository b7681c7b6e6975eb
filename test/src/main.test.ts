import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** `npm start` runs the build (pretest builds it too): these tests start the real process. */
const MAIN = join(__dirname, '..', '..', 'dist', 'src', 'main.js');
const ROOT = join(__dirname, '..', '..');

function start(env: Record<string, string>): ChildProcessWithoutNullStreams {
  const { MONGODB_URI: _ignored, ...inherited } = process.env;
  return spawn(process.execPath, [MAIN], { cwd: ROOT, env: { ...inherited, ...env } });
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
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line in ${JSON.stringify(lines)}`)), 60_000);
      createInterface({ input: child.stdout }).on('line', (line) => {
        const entry = JSON.parse(line) as Record<string, unknown>;
        lines.push(entry);
        if (typeof entry.url === 'string') {
          clearTimeout(timer);
          resolve(entry.url);
        }
      });
    });
    expect(lines.some((l) => String(l.database).startsWith('embedded FerretDB 1.24 at mongodb://127.0.0.1:'))).toBe(true);
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await fetch(`${url}/nowhere`)).status).toBe(404);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['stopped']));
  });
});
