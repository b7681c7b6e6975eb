import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, cp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The FerretDB release the files under embedded-db/ferretdb-overlay/ were made from. */
export const FERRETDB_VERSION = 'v1.24.0';
/** Our files (in embedded-db/ferretdb-overlay/), by where each goes in FerretDB's module. */
export const FERRETDB_OVERLAY: Readonly<Record<string, string>> = {
  'internal/util/fsql/db.go': 'fsql-db.go',
  'internal/backends/sqlite/collection.go': 'sqlite-collection.go',
};

/** The go.mod a build of the embedded server uses, and how to remove it once built. */
export interface PreparedBuild {
  goMod: string;
  done(): Promise<void>;
}

/**
 * Prepares FerretDB with our version of some of its files (SQLite's writes taking turns in the
 * server, docs/storage.md §3): a copy of its module in `folder` carrying them, and a go.mod of this
 * build's own (ours, with FerretDB replaced by the copy) for `go build -modfile`. `go build
 * -overlay` refuses files beneath the module cache, hence the copy. The copy is named after what
 * it holds and put in place whole (made under another name, then renamed), so builds running at
 * once share it and none sees it half made. Another FerretDB release than the overlay's is refused
 * rather than patched blind.
 */
export async function prepareFerretDb(source: string, folder: string): Promise<PreparedBuild> {
  const go = (args: string[]) => run('go', args, { cwd: source, maxBuffer: 16 * 1024 * 1024 });
  await go(['mod', 'download', 'github.com/FerretDB/FerretDB']);
  const { stdout } = await go(['list', '-m', '-f', '{{.Version}}\t{{.Dir}}', 'github.com/FerretDB/FerretDB']);
  const [version, moduleDir] = stdout.trim().split('\t');
  if (version !== FERRETDB_VERSION || !moduleDir) {
    throw new Error(`embedded-db/ferretdb-overlay/ is made for FerretDB ${FERRETDB_VERSION}, but embedded-db/go.mod asks for ${version || 'none'}: bring the overlay to that release`);
  }
  const ours = await Promise.all(Object.entries(FERRETDB_OVERLAY).map(async ([inModule, file]) => ({ inModule, text: await readFile(join(source, 'ferretdb-overlay', file)) })));
  const digest = createHash('sha256').update(FERRETDB_VERSION);
  for (const { inModule, text } of ours) digest.update(inModule).update(text);
  const copy = join(folder, `ferretdb-${FERRETDB_VERSION}-${digest.digest('hex').slice(0, 12)}`);
  if (!existsSync(copy)) {
    const partial = `${copy}.${process.pid}.partial`;
    await removeTree(partial);
    await cp(moduleDir, partial, { recursive: true });
    // The module cache's files and folders are read-only, and cp keeps their modes.
    await makeWritable(partial);
    for (const { inModule, text } of ours) await writeFile(join(partial, inModule), text);
    await rename(partial, copy).catch(async (error: unknown) => {
      // Another build put the same copy in place first.
      await removeTree(partial);
      if (!existsSync(copy)) throw error;
    });
  }
  const goMod = join(folder, `embedded-db.${process.pid}.go.mod`);
  const goSum = goMod.replace(/\.mod$/, '.sum');
  await writeFile(goMod, `${await readFile(join(source, 'go.mod'), 'utf8')}\nreplace github.com/FerretDB/FerretDB => ${JSON.stringify(copy)}\n`);
  // `-modfile=x.go.mod` reads its sums from x.go.sum.
  await copyFile(join(source, 'go.sum'), goSum);
  return { goMod, done: () => Promise.all([rm(goMod, { force: true }), rm(goSum, { force: true })]).then(() => undefined) };
}

async function makeWritable(folder: string): Promise<void> {
  await chmod(folder, 0o755);
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) await makeWritable(path);
    else await chmod(path, 0o644);
  }
}

async function removeTree(folder: string): Promise<void> {
  if (!existsSync(folder)) return;
  await makeWritable(folder);
  await rm(folder, { recursive: true, force: true });
}
