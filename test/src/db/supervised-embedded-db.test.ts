import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { ensureEmbeddedDbBinary } from '../../../src/db/embedded-db';
import { startSupervisedEmbeddedDb, type SupervisedDb } from '../../../src/db/supervised-embedded-db';
import { eventually } from '../../support/slack/slack-harness';

describe('the embedded database, supervised (a real FerretDB process)', () => {
  let dir: string;
  let db: SupervisedDb | undefined;
  let client: MongoClient | undefined;
  const restarts: unknown[] = [];
  const givenUp: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'opsdesk-supervised-db-'));
  });
  afterAll(async () => {
    await client?.close();
    await db?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('comes back on the same port and data when killed; the connection finds it again', async () => {
    const binary = await ensureEmbeddedDbBinary(() => {});
    db = await startSupervisedEmbeddedDb({ binary, dataDir: join(dir, 'data') }, { onRestart: (d) => restarts.push(d), onGiveUp: (r) => givenUp.push(r) });
    client = new MongoClient(db.uri, { serverSelectionTimeoutMS: 20_000 });
    const reports = client.db('supervised').collection<{ _id: string; title: string }>('reports');
    await reports.insertOne({ _id: 'INC0001001', title: 'VPN drops' });
    const first = db.child.pid;

    db.child.kill('SIGKILL');
    await eventually(() => restarts.length === 1 && db!.child.pid !== first, 20_000);
    expect(restarts[0]).toMatchObject({ signal: 'SIGKILL', restarts: 1 });
    // The same address, the same data.
    await eventually(async () => (await reports.findOne({ _id: 'INC0001001' }).catch(() => null))?.title === 'VPN drops', 30_000);
    expect(givenUp).toEqual([]);
  }, 90_000);

  it('gives up (and says so, for opsdesk to exit) when it keeps dying', async () => {
    for (let kill = 2; kill <= 5; kill++) {
      const pid = db!.child.pid;
      db!.child.kill('SIGKILL');
      await eventually(() => restarts.length === kill && db!.child.pid !== pid, 20_000);
    }
    db!.child.kill('SIGKILL');
    await eventually(() => givenUp.length === 1, 20_000);
    expect(givenUp[0]).toBe('the embedded database died 6 times within 5 minutes');
    expect(restarts).toHaveLength(5);
  }, 90_000);
});
