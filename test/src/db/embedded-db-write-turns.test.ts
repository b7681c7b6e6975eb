import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import { ensureEmbeddedDbBinary } from '../../../src/db/embedded-db';
import { ownEmbeddedDb } from '../../support/own-embedded-db';

/**
 * The embedded server's writes to one database take turns inside the server
 * (embedded-db/ferretdb-overlay/): SQLite takes one writer at a time, and in FerretDB's own build a
 * writer finding the lock taken slept in SQLite's busy handler, while the lock could be free
 * (docs/storage.md §3).
 */
describe("the embedded SQLite server's writes", () => {
  const server = ownEmbeddedDb('opsdesk-write-turns-');

  it('come from FerretDB built with our write turns in place of its own file', async () => {
    const binary = await ensureEmbeddedDbBinary(() => {});
    expect((await readFile(binary)).includes('fsql.(*DB).takeWriteTurn')).toBe(true);
    const { stdout } = await promisify(execFile)('go', ['version', '-m', binary]);
    // `dep github.com/FerretDB/FerretDB v1.24.0` followed by `=> <the copy it was built from>`.
    const replaced = /\tdep\tgithub\.com\/FerretDB\/FerretDB\tv1\.24\.0\s*\n\t=>\t(\S+)/.exec(stdout);
    expect(replaced).not.toBeNull();
    const built = await readFile(join(replaced![1]!, 'internal', 'util', 'fsql', 'db.go'), 'utf8');
    expect(built).toBe(await readFile(join(__dirname, '..', '..', '..', 'embedded-db', 'ferretdb-overlay', 'fsql-db.go'), 'utf8'));
  });

  it('all land, none refused and none lost, when many writers come at once', async () => {
    // 90 at once from three clients, with no retry: a refusal, or a turn never given back, fails
    // or stalls this. (FerretDB opens at most 100 SQLite connections a database; an update holds
    // its read's connection while it waits for its turn, so 100 such at once would wait forever,
    // turns or not: opsdesk sends at most 8 at once per thread, src/db/embedded-db.ts.)
    const address = new URL(server().uri);
    address.searchParams.set('maxPoolSize', '30');
    const clients = await Promise.all(Array.from({ length: 3 }, () => new MongoClient(address.toString()).connect()));
    try {
      const names = clients.map((client) => client.db('turns').collection<{ _id: string; n: number }>('writes'));
      await names[0]!.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: `doc-${i}`, n: -1 })));
      const refusals: string[] = [];
      const unmatched: string[] = [];
      const written = new Map<string, number[]>();
      const writes = names.flatMap((collection, c) =>
        Array.from({ length: 400 }, (_, i) => {
          if (i % 2) return collection.insertOne({ _id: `new-${c}-${i}`, n: i }).catch((error: Error) => refusals.push(error.message));
          const _id = `doc-${i % 50}`;
          written.set(_id, [...(written.get(_id) ?? []), i]);
          return collection
            .updateOne({ _id }, { $set: { n: i } })
            .then((result) => result.matchedCount === 1 || unmatched.push(_id))
            .catch((error: Error) => refusals.push(error.message));
        }),
      );
      await Promise.all(writes);
      expect(refusals).toEqual([]);
      expect(unmatched).toEqual([]);
      expect(await names[0]!.countDocuments()).toBe(50 + 3 * 200);
      // Each updated document holds one of the values written to it; the others are as inserted.
      for (const doc of await names[0]!.find({ _id: /^doc-/ }).toArray()) {
        const values = written.get(doc._id);
        if (values) expect(values).toContain(doc.n);
        else expect(doc.n).toBe(-1);
      }
      expect(written.size).toBeGreaterThan(0);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });
});
