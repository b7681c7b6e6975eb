import { randomBytes } from 'node:crypto';
import { connectDatabase, type Database } from '../../src/db/connect';

export function testDatabaseUri(): string {
  const uri = process.env.OPSDESK_TEST_MONGODB_URI;
  if (!uri) throw new Error('the test database was not started (jest globalSetup)');
  return uri;
}

/** A fresh, empty database on the shared test server; drop it with `dropTestDatabase`. */
export function openTestDatabase(name = 'test', options: { monitorCommands?: boolean } = {}): Promise<Database> {
  return connectDatabase(testDatabaseUri(), `${name}_${randomBytes(4).toString('hex')}`.slice(0, 60), options);
}

/** Counts the commands (find, insert, update…) sent while `work` runs. */
export async function countCommands(database: Database, work: () => Promise<unknown>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const listener = (event: { commandName: string; databaseName: string }) => {
    if (event.databaseName === database.connection.name) counts[event.commandName] = (counts[event.commandName] ?? 0) + 1;
  };
  const client = database.connection.getClient();
  client.on('commandStarted', listener);
  try {
    await work();
  } finally {
    client.off('commandStarted', listener);
  }
  return counts;
}

export async function dropTestDatabase(database: Database): Promise<void> {
  await database.connection.dropDatabase();
  await database.close();
}
