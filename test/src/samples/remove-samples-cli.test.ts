import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../../src/app';
import { connectDatabase, type Database } from '../../../src/db/connect';
import { ensureEmbeddedDbBinary, startEmbeddedDb, type RunningDb } from '../../../src/db/embedded-db';
import { createSamplesIfEmpty } from '../../../src/samples/create-samples';
import { buildConfig, silentLogger } from '../../support/factories';

/** `npm run samples:remove` runs the build (pretest builds it too): these tests run the real command. */
const CLI = join(__dirname, '..', '..', '..', 'dist', 'src', 'samples', 'remove-samples-cli.js');
const ROOT = join(__dirname, '..', '..', '..');

/** The command on the embedded database in `dataDir`, as a person runs it: its exit code and what it printed. */
function removeSamplesCommand(dataDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { MONGODB_URI: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [CLI], { cwd: ROOT, env: { ...inherited, OPSDESK_DATA_DIR: dataDir } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('npm run samples:remove on the embedded database', () => {
  let dataDir: string;
  let server: RunningDb | undefined;
  let database: Database | undefined;

  /** The embedded database opsdesk keeps in the data folder (provision-database.ts: `<data>/ferretdb`), as opsdesk opens it. */
  async function open(): Promise<Database> {
    server = await startEmbeddedDb({ binary: await ensureEmbeddedDbBinary(() => {}), dataDir: join(dataDir, 'ferretdb') });
    database = await connectDatabase(server.uri, 'opsdesk');
    return database;
  }
  async function close(): Promise<void> {
    await database?.close();
    await server?.stop();
    database = undefined;
    server = undefined;
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'opsdesk-samples-'));
  });
  afterAll(async () => {
    await close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses while opsdesk runs on it, then removes the samples once it is stopped', async () => {
    const running = await open();
    const app = await createApp({ database: running, config: buildConfig(), log: silentLogger() });
    expect((await createSamplesIfEmpty(app)).created).toHaveLength(5);
    await app.jobs.wheel.idle();
    // opsdesk beats while it runs (src/services/intake.ts).
    await running.models.ProcessBeat.collection.insertOne({ _id: 'opsdesk-process', at: new Date() } as never);

    const refused = await removeSamplesCommand(dataDir);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^opsdesk is running on the embedded database in .*: stop opsdesk first/)]);
    expect(await running.models.Incident.countDocuments({ sample: true })).toBe(3);

    // Stopped cleanly: its last beat hands its work over (the epoch), and the database is closed.
    await running.models.ProcessBeat.collection.updateOne({ _id: 'opsdesk-process' } as never, { $set: { at: new Date(0) } });
    await close();
    const removed = await removeSamplesCommand(dataDir);
    expect([removed.code, removed.stdout, removed.stderr]).toEqual([0, 'Removed 5 sample tickets.\n', '']);

    const reopened = await open();
    expect([await reopened.models.Incident.countDocuments(), await reopened.models.ServiceRequest.countDocuments(), await reopened.models.Change.countDocuments()]).toEqual([0, 0, 0]);
    expect(await reopened.models.RecordKey.findById('samples:removed').lean()).not.toBeNull();
  });
});
