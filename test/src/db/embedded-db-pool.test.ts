import { MongoClient } from 'mongodb';
import { SQLITE_POOL_SIZE, withSqlitePool } from '../../../src/db/embedded-db';
import { ownEmbeddedDb } from '../../support/own-embedded-db';

describe("the embedded SQLite server's address", () => {
  const server = ownEmbeddedDb('opsdesk-pool-');

  it('bounds the connection pool to what one writer can use, unless the address says otherwise', () => {
    expect(new URL(server().uri).searchParams.get('maxPoolSize')).toBe(String(SQLITE_POOL_SIZE));
    expect(new URL(withSqlitePool('mongodb://127.0.0.1:27017/?maxPoolSize=3')).searchParams.get('maxPoolSize')).toBe('3');
  });

  it('sends the server no more commands at once than the bound, however many are asked for', async () => {
    const client = new MongoClient(server().uri);
    let opened = 0;
    client.on('connectionCreated', () => (opened += 1));
    try {
      const collection = client.db('pool').collection<{ n: number }>('writes');
      await Promise.all(Array.from({ length: 60 }, (_, n) => collection.insertOne({ n })));
      expect(await collection.countDocuments()).toBe(60);
      expect(opened).toBeGreaterThan(0);
      expect(opened).toBeLessThanOrEqual(SQLITE_POOL_SIZE);
    } finally {
      await client.close();
    }
  });
});
