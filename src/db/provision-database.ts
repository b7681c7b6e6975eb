import { join } from 'node:path';
import { ensureEmbeddedDbBinary, EmbeddedDbUnavailable } from './embedded-db';
import { startSupervisedEmbeddedDb } from './supervised-embedded-db';
import { redact } from './redact';

export interface ProvisionedDatabase {
  uri: string;
  /** What was chosen, in words for the start-up log. */
  description: string;
  stop(): Promise<void>;
}

export interface ProvisionOptions {
  mongodbUri?: string | undefined;
  dataDir: string;
  /** Store the embedded server's data in this PostgreSQL database instead of SQLite files. */
  embeddedPostgresUrl?: string | undefined;
  log: (msg: string) => void;
  /** The embedded database keeps dying and was given up on: the process should exit. */
  onDatabaseLost?: (reason: string) => void;
}

export class NoDatabaseAvailable extends Error {}

/**
 * Chooses the MongoDB-compatible server: MONGODB_URI when set, else FerretDB embedded in our own
 * Go program (SQLite files under the data folder, or an existing PostgreSQL).
 */
export async function provisionDatabase(options: ProvisionOptions): Promise<ProvisionedDatabase> {
  if (options.mongodbUri) {
    return { uri: options.mongodbUri, description: `MongoDB at ${redact(options.mongodbUri)} (MONGODB_URI)`, stop: async () => {} };
  }
  try {
    const binary = await ensureEmbeddedDbBinary(options.log);
    const dataDir = join(options.dataDir, 'ferretdb');
    const db = await startSupervisedEmbeddedDb(
      { binary, dataDir, ...(options.embeddedPostgresUrl ? { postgresUrl: options.embeddedPostgresUrl } : {}) },
      {
        onRestart: (detail) => options.log(`the embedded database stopped (${JSON.stringify(detail)}); started again on the same data`),
        onGiveUp: options.onDatabaseLost ?? ((reason) => options.log(reason)),
      },
    );
    const storage = options.embeddedPostgresUrl ? `PostgreSQL at ${redact(options.embeddedPostgresUrl)}` : `SQLite files in ${dataDir}`;
    return { uri: db.uri, stop: db.stop, description: `embedded FerretDB 1.24 at ${db.uri} (${storage})` };
  } catch (error) {
    if (!(error instanceof EmbeddedDbUnavailable)) throw error;
    throw new NoDatabaseAvailable(
      `No MongoDB-compatible server is available: ${error.message}.\n` +
        'Either install Go 1.22 or newer (opsdesk then builds and runs an embedded FerretDB itself),\n' +
        'or set MONGODB_URI to a MongoDB 6+ server, e.g. MONGODB_URI=mongodb://127.0.0.1:27017.',
    );
  }
}
