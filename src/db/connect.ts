import mongoose, { type Connection } from 'mongoose';
import { createModels, ensureIndexes, type Models } from '../models/models';
import { StartupError } from '../startup-error';
import { redact } from './redact';

const SELECTION_TIMEOUT_MS = 10_000;

export interface Database {
  connection: Connection;
  models: Models;
  close(): Promise<void>;
  ping(): Promise<boolean>;
  /** Removes the application's database and its intake's (tests and benchmarks). */
  drop(): Promise<void>;
}

/** Opens a connection to `dbName` on `uri`, registers the models and creates their indexes. */
export async function connectDatabase(uri: string, dbName: string, options: { monitorCommands?: boolean } = {}): Promise<Database> {
  const connection = mongoose.createConnection(uri, {
    dbName,
    // Lets benchmarks and tests count the commands a piece of work sends ('commandStarted').
    monitorCommands: options.monitorCommands ?? false,
    autoIndex: false,
    autoCreate: false,
    serverSelectionTimeoutMS: SELECTION_TIMEOUT_MS,
  });
  try {
    await connection.asPromise();
  } catch (error) {
    await connection.close().catch(() => undefined);
    if (!(error instanceof Error) || error.name !== 'MongooseServerSelectionError') throw error;
    throw new StartupError(
      `cannot reach the database at ${redact(uri)} within ${SELECTION_TIMEOUT_MS / 1000} s (${error.message}): start it or correct MONGODB_URI, or leave MONGODB_URI unset to use the embedded database`,
    );
  }
  const models = createModels(connection);
  try {
    await ensureIndexes(models);
  } catch (error) {
    await connection.close().catch(() => undefined);
    // The embedded server on PostgreSQL reaches PostgreSQL at its first real command.
    const missing = error instanceof Error ? /database "([^"]+)" does not exist/.exec(error.message) : null;
    if (!missing) throw error;
    throw new StartupError(`PostgreSQL has no database "${missing[1]}" (OPSDESK_EMBEDDED_DB_PG): create it (createdb ${missing[1]}) or name one that exists`);
  }
  return {
    connection,
    models,
    close: () => connection.close(),
    drop: async () => {
      await connection.dropDatabase();
      await models.Intake.db.dropDatabase();
    },
    ping: async () => {
      try {
        await connection.db?.admin().ping();
        return true;
      } catch {
        return false;
      }
    },
  };
}
