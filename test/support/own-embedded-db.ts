import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureEmbeddedDbBinary, startEmbeddedDb, type RunningDb } from '../../src/db/embedded-db';

/**
 * An embedded server of the calling test file's own, on SQLite in a temporary folder (the tests
 * that look at the server itself, not at opsdesk through the shared test database). Call it in a
 * `describe`; read the server inside the tests.
 */
export function ownEmbeddedDb(prefix: string): () => RunningDb {
  let dataDir: string;
  let server: RunningDb | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), prefix));
    server = await startEmbeddedDb({ binary: await ensureEmbeddedDbBinary(() => {}), dataDir });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  return () => {
    if (!server) throw new Error('the embedded server is not started yet');
    return server;
  };
}
