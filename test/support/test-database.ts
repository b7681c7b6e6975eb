import { randomBytes } from 'node:crypto';
import { connectDatabase, type Database } from '../../src/db/connect';

export function testDatabaseUri(): string {
  const uri = process.env.OPSDESK_TEST_MONGODB_URI;
  if (!uri) throw new Error('the test database was not started (jest globalSetup)');
  return uri;
}

/** A fresh, empty database on the shared test server; drop it with `dropTestDatabase`. */
export function openTestDatabase(name = 'test', options: { monitorCommands?: boolean } = {}): Promise<Database> {
  return connectDatabase(testDatabaseUri(), `${name}_${randomBytes(4).toString('hex')}`.slice(0, 56), options);
}

/** The same database from a connection of its own, as another process would have it; close it with `close()`. */
export function openAgain(database: Database, options: { monitorCommands?: boolean } = {}): Promise<Database> {
  return connectDatabase(testDatabaseUri(), database.connection.name, options);
}

/** Every command sent while `work` runs, with its filter (a find's, or an update's or a delete's first). */
export async function commandsDuring(database: Database, work: () => Promise<unknown>): Promise<{ name: string; collection: string; filter: unknown }[]> {
  const seen: { name: string; collection: string; filter: unknown }[] = [];
  const listener = (event: { commandName: string; databaseName: string; command: Record<string, unknown> }) => {
    if (event.databaseName !== database.connection.name) return;
    const command = event.command as { filter?: unknown; updates?: { q: unknown }[]; deletes?: { q: unknown }[] };
    seen.push({ name: event.commandName, collection: String(event.command[event.commandName]), filter: command.filter ?? command.updates?.[0]?.q ?? command.deletes?.[0]?.q });
  };
  const client = database.connection.getClient();
  client.on('commandStarted', listener);
  try {
    await work();
  } finally {
    client.off('commandStarted', listener);
  }
  return seen;
}

/** Counts the commands (find, insert, update…) sent while `work` runs. */
export async function countCommands(database: Database, work: () => Promise<unknown>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { name } of await commandsDuring(database, work)) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

export async function dropTestDatabase(database: Database): Promise<void> {
  await database.drop();
  await database.close();
}
