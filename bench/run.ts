import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureEmbeddedDbBinary, startEmbeddedDb } from '../src/db/embedded-db';
import { runCoreBench } from './core-bench';
import { runPageBench } from './page-bench';
import { runSlackBench } from './slack-bench';
import { runSlackFuzzBench } from './slack-fuzz-bench';
import { runSlaBench } from './sla-bench';

/** `npm run bench`: figures, one per line, against MONGODB_URI or a fresh embedded server. */
async function main(): Promise<void> {
  let uri = process.env.MONGODB_URI;
  let stop = async () => {};
  if (!uri) {
    const dir = await mkdtemp(join(tmpdir(), 'opsdesk-bench-'));
    const db = await startEmbeddedDb({ binary: await ensureEmbeddedDbBinary((m) => process.stderr.write(`${m}\n`)), dataDir: dir });
    uri = db.uri;
    stop = async () => {
      await db.stop();
      await rm(dir, { recursive: true, force: true });
    };
    process.stdout.write(`database: embedded FerretDB 1.24 (SQLite)\n`);
  } else {
    process.stdout.write('database: MONGODB_URI\n');
  }
  try {
    const only = process.env.BENCH_ONLY;
    if (!only || only === 'core') await runCoreBench(uri);
    if (!only || only === 'slack') await runSlackBench(uri);
    if (!only || only === 'fuzz') await runSlackFuzzBench(uri);
    if (!only || only === 'page') await runPageBench(uri);
    if (!only || only === 'sla') await runSlaBench(uri);
  } finally {
    await stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
