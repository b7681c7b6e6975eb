import { MongoClient } from 'mongodb';

/**
 * Whether an opsdesk process works on this database now: its heartbeat (`process_beats`, see
 * src/services/intake.ts) is younger than `withinMs`. A process stopped cleanly sets its beat to
 * the epoch; one killed looks alive until `withinMs` has passed. Read with the bare driver, which
 * creates nothing: a collection created here would break the running process's own view of the
 * embedded database (see database-for-command.ts).
 */
export async function opsdeskBeating(uri: string, dbName: string, withinMs: number): Promise<boolean> {
  const client = await new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 }).connect();
  try {
    const beat = await client.db(dbName).collection('process_beats').findOne({ at: { $gt: new Date(Date.now() - withinMs) } });
    return beat !== null;
  } finally {
    await client.close();
  }
}
