import { resolve } from 'node:path';
import type { Env } from '../config/env';
import { connectDatabase, type Database } from './connect';
import { opsdeskBeating } from './opsdesk-running';
import { provisionDatabase } from './provision-database';

/** The embedded database is in use by a running opsdesk: the command says so and does nothing. */
export class DatabaseInUse extends Error {}

/**
 * Runs an operator's command (`npm run samples:remove`, `npm run console:token`) on the database
 * opsdesk uses: MONGODB_URI, else the embedded one in OPSDESK_DATA_DIR.
 *
 * The embedded database cannot be shared: each FerretDB process reads the list of collections once,
 * at its start, so a collection one of them creates later is invisible to the other, which fails to
 * write into it ("table … already exists"; measured on FerretDB 1.24 with two processes on one
 * data folder). While opsdesk runs on it, the command is refused rather than run beside it.
 */
export async function withDatabaseForCommand<T>(env: Env, command: string, work: (database: Database) => Promise<T>): Promise<T> {
  const provisioned = await provisionDatabase({
    mongodbUri: env.MONGODB_URI,
    dataDir: resolve(env.OPSDESK_DATA_DIR),
    embeddedPostgresUrl: env.OPSDESK_EMBEDDED_DB_PG,
    log: (msg) => process.stderr.write(`${msg}\n`),
  });
  try {
    if (!env.MONGODB_URI && (await opsdeskBeating(provisioned.uri, env.MONGODB_DB, env.OPSDESK_TAKEOVER_SECONDS * 1000))) {
      throw new DatabaseInUse(
        `opsdesk is running on the embedded database in ${resolve(env.OPSDESK_DATA_DIR)}: stop opsdesk first (a process killed a moment ago counts as running for ${env.OPSDESK_TAKEOVER_SECONDS} s), then run ${command} again.`,
      );
    }
    const database = await connectDatabase(provisioned.uri, env.MONGODB_DB);
    try {
      return await work(database);
    } finally {
      await database.close();
    }
  } finally {
    await provisioned.stop();
  }
}
