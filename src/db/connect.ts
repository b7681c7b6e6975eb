import mongoose, { type Connection } from 'mongoose';
import { createModels, ensureIndexes, type Models } from '../models/models';

export interface Database {
  connection: Connection;
  models: Models;
  close(): Promise<void>;
  ping(): Promise<boolean>;
}

/** Opens a connection to `dbName` on `uri`, registers the models and creates their indexes. */
export async function connectDatabase(uri: string, dbName: string, options: { monitorCommands?: boolean } = {}): Promise<Database> {
  const connection = mongoose.createConnection(uri, {
    dbName,
    // Lets benchmarks and tests count the commands a piece of work sends ('commandStarted').
    monitorCommands: options.monitorCommands ?? false,
    autoIndex: false,
    autoCreate: false,
    serverSelectionTimeoutMS: 10_000,
  });
  await connection.asPromise();
  const models = createModels(connection);
  await ensureIndexes(models);
  return {
    connection,
    models,
    close: () => connection.close(),
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
