import { join } from 'node:path';
import { ensureEmbeddedDbBinary, EmbeddedDbUnavailable, startEmbeddedDb } from './embedded-db';

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
    const db = await startEmbeddedDb({ binary, dataDir, postgresUrl: options.embeddedPostgresUrl });
    const storage = options.embeddedPostgresUrl ? `PostgreSQL at ${redact(options.embeddedPostgresUrl)}` : `SQLite files in ${dataDir}`;
    return { ...db, description: `embedded FerretDB 1.24 at ${db.uri} (${storage})` };
  } catch (error) {
    if (!(error instanceof EmbeddedDbUnavailable)) throw error;
    throw new NoDatabaseAvailable(
      `No MongoDB-compatible server is available: ${error.message}.\n` +
        'Either install Go 1.22 or newer (opsdesk then builds and runs an embedded FerretDB itself),\n' +
        'or set MONGODB_URI to a MongoDB 6+ server, e.g. MONGODB_URI=mongodb://127.0.0.1:27017.',
    );
  }
}

/** A connection string without its password, for logs. */
export function redact(uri: string): string {
  return uri.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
