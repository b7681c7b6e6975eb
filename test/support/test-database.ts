import { randomBytes } from 'node:crypto';
import { connectDatabase, type Database } from '../../src/db/connect';

export function testDatabaseUri(): string {
  const uri = process.env.OPSDESK_TEST_MONGODB_URI;
  if (!uri) throw new Error('the test database was not started (jest globalSetup)');
  return uri;
}

/** A fresh, empty database on the shared test server; drop it with `dropTestDatabase`. */
export function openTestDatabase(name = 'test'): Promise<Database> {
  return connectDatabase(testDatabaseUri(), `${name}_${randomBytes(4).toString('hex')}`.slice(0, 60));
}

export async function dropTestDatabase(database: Database): Promise<void> {
  await database.connection.dropDatabase();
  await database.close();
}
