import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureEmbeddedDbBinary, startEmbeddedDb, type RunningDb } from '../../src/db/embedded-db';

declare global {
  var __OPSDESK_TEST_DB__: RunningDb | undefined;
}

/**
 * One MongoDB-compatible server for the whole run: MONGODB_URI when set, else the embedded
 * FerretDB on a throwaway folder. Each test file then uses a database of its own.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) {
    process.env.OPSDESK_TEST_MONGODB_URI = process.env.MONGODB_URI;
    return;
  }
  const binary = await ensureEmbeddedDbBinary((msg) => process.stderr.write(`${msg}\n`));
  const dataDir = await mkdtemp(join(tmpdir(), 'opsdesk-test-db-'));
  const db = await startEmbeddedDb({ binary, dataDir });
  globalThis.__OPSDESK_TEST_DB__ = db;
  process.env.OPSDESK_TEST_MONGODB_URI = db.uri;
  process.env.OPSDESK_TEST_DB_DIR = dataDir;
}
