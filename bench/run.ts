import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureEmbeddedDbBinary, spawnEmbeddedDb, stopChild } from '../src/db/embedded-db';
import { runApprovalBench } from './approval-bench';
import { runCommandsBench } from './commands-bench';
import { runCoreBench } from './core-bench';
import { runListBench } from './list-bench';
import { runPageBench } from './page-bench';
import { runSlackBench } from './slack-bench';
import { runSlackFuzzBench } from './slack-fuzz-bench';
import { runSlaBench } from './sla-bench';
import { runSoakBench } from './soak-bench';
import { runTeamsBench } from './teams-bench';
import { runWebConsoleBench } from './web-console-bench';

/** `npm run bench`: figures, one per line, against MONGODB_URI or a fresh embedded server. */
async function main(): Promise<void> {
  let uri = process.env.MONGODB_URI;
  let stop = async () => {};
  if (!uri) {
    const dir = await mkdtemp(join(tmpdir(), 'opsdesk-bench-'));
    const db = await spawnEmbeddedDb({ binary: await ensureEmbeddedDbBinary((m) => process.stderr.write(`${m}\n`)), dataDir: dir }, '127.0.0.1:0');
    uri = db.uri;
    // The soak reports the database process's memory.
    process.env.BENCH_DB_PID = String(db.child.pid);
    stop = async () => {
      await stopChild(db.child);
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
    if (!only || only === 'teams') await runTeamsBench(uri);
    if (!only || only === 'fuzz') await runSlackFuzzBench(uri);
    if (!only || only === 'page') await runPageBench(uri);
    if (!only || only === 'lists') await runListBench(uri);
    if (!only || only === 'approvals') await runApprovalBench(uri);
    if (!only || only === 'sla') await runSlaBench(uri);
    if (!only || only === 'web') await runWebConsoleBench(uri);
    // Thirty minutes: only when asked for (BENCH_ONLY=soak).
    if (only === 'soak') await runSoakBench(uri);
    // Where the soak's requests' database time goes: only when asked for (BENCH_ONLY=commands).
    if (only === 'commands') await runCommandsBench(uri);
  } finally {
    await stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
