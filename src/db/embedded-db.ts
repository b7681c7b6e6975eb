import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, cp, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root: the nearest folder above this file holding `embedded-db/main.go` (from src/ or dist/src/). */
function repositoryRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'embedded-db', 'main.go'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

const ROOT = repositoryRoot();
/** The Go program that embeds FerretDB. */
export const EMBEDDED_DB_SOURCE = join(ROOT, 'embedded-db');
const SOURCE_FILES = ['main.go', 'id_index.go', 'go.mod', 'go.sum', 'ferretdb-overlay/fsql-db.go'];
const BINARY = join(ROOT, '.cache', 'bin', 'opsdesk-embedded-db');
/** Where the build's FerretDB (with our files) and go.mod are prepared. */
const BUILD_FOLDER = join(ROOT, '.cache', 'embedded-db-build');

async function mtime(path: string): Promise<number | null> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return null;
  }
}

export class EmbeddedDbUnavailable extends Error {}

/** How often a long first build says it is still going. */
const PROGRESS_EVERY_MS = 20_000;

/**
 * Builds the embedded server with `go build` unless a build newer than its sources is cached.
 * Returns the binary's path. The first build fetches modules through the Go module proxy and
 * takes a few minutes (`npm install` does it, scripts/prepare-embedded-db.js); later ones are instant.
 */
export async function ensureEmbeddedDbBinary(log: (msg: string) => void): Promise<string> {
  const binary = BINARY;
  const built = await mtime(binary);
  const sources = await Promise.all(SOURCE_FILES.map((f) => mtime(join(EMBEDDED_DB_SOURCE, f))));
  if (built !== null && sources.every((s) => s === null || s <= built)) return binary;
  if (sources[0] === null) throw new EmbeddedDbUnavailable(`the embedded database source is missing at ${EMBEDDED_DB_SOURCE}`);

  try {
    await run('go', ['version']);
  } catch {
    throw new EmbeddedDbUnavailable('Go is not installed (https://go.dev/dl, 1.22 or newer) and no embedded database build is cached');
  }
  log(`building the embedded MongoDB-compatible server (FerretDB) with go build into ${binary}; the first build takes a few minutes`);
  await mkdir(dirname(binary), { recursive: true });
  // Build beside the target and rename, so a concurrent start never runs a half-written file.
  const partial = `${binary}.${process.pid}.partial`;
  const started = Date.now();
  const progress = setInterval(() => log(`still building the embedded database: ${Math.round((Date.now() - started) / 1000)} s so far (a first build takes 2 to 4 minutes; later starts reuse it)`), PROGRESS_EVERY_MS);
  try {
    await mkdir(BUILD_FOLDER, { recursive: true });
    const goMod = await prepareFerretDbOverlay(BUILD_FOLDER);
    await run('go', ['build', '-trimpath', `-modfile=${goMod}`, '-o', partial, '.'], {
      cwd: EMBEDDED_DB_SOURCE,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, CGO_ENABLED: '0' },
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new EmbeddedDbUnavailable(`go build of the embedded database failed:\n${stderr.slice(-2000)}`);
  } finally {
    clearInterval(progress);
  }
  log(`built the embedded database in ${Math.round((Date.now() - started) / 1000)} s`);
  await rename(partial, binary);
  return binary;
}

/** The FerretDB release the files under embedded-db/ferretdb-overlay/ were made from. */
const FERRETDB_VERSION = 'v1.24.0';
/** Our files, by where each goes in FerretDB's module. */
const FERRETDB_OVERLAY: Record<string, string> = { 'internal/util/fsql/db.go': 'fsql-db.go' };

/**
 * Prepares FerretDB with our version of some of its files (embedded-db/ferretdb-overlay/: SQLite's
 * writes taking turns in the server, docs/storage.md §3) and returns the go.mod to build with: ours,
 * with FerretDB replaced by a copy of its module in `folder` carrying those files. Go keeps fetched
 * modules read-only and lets no build replace their files, hence the copy. Another FerretDB release
 * than the overlay's is refused rather than patched blind.
 */
async function prepareFerretDbOverlay(folder: string): Promise<string> {
  const go = (args: string[]) => run('go', args, { cwd: EMBEDDED_DB_SOURCE, maxBuffer: 16 * 1024 * 1024 });
  await go(['mod', 'download', 'github.com/FerretDB/FerretDB']);
  const { stdout } = await go(['list', '-m', '-f', '{{.Version}} {{.Dir}}', 'github.com/FerretDB/FerretDB']);
  const [version, moduleDir] = stdout.trim().split(' ');
  if (version !== FERRETDB_VERSION || !moduleDir) {
    throw new Error(`embedded-db/ferretdb-overlay/ is made for FerretDB ${FERRETDB_VERSION}, but embedded-db/go.mod asks for ${version ?? 'none'}: bring the overlay to that release`);
  }
  const copy = join(folder, `ferretdb-${FERRETDB_VERSION}-opsdesk`);
  await rm(copy, { recursive: true, force: true });
  await cp(moduleDir, copy, { recursive: true });
  for (const [inModule, ours] of Object.entries(FERRETDB_OVERLAY)) {
    const target = join(copy, inModule);
    await chmod(dirname(target), 0o755);
    await chmod(target, 0o644);
    await copyFile(join(EMBEDDED_DB_SOURCE, 'ferretdb-overlay', ours), target);
  }
  const goMod = join(folder, 'embedded-db.go.mod');
  await writeFile(goMod, `${await readFile(join(EMBEDDED_DB_SOURCE, 'go.mod'), 'utf8')}\nreplace github.com/FerretDB/FerretDB => ${copy}\n`);
  // `-modfile=x.go.mod` reads its sums from x.go.sum.
  await copyFile(join(EMBEDDED_DB_SOURCE, 'go.sum'), goMod.replace(/\.mod$/, '.sum'));
  return goMod;
}

export interface RunningDb {
  uri: string;
  stop(): Promise<void>;
}

/** A started server process and where it listens. */
export interface EmbeddedDbProcess {
  uri: string;
  child: ChildProcess;
}

export interface EmbeddedDbOptions {
  binary: string;
  /** SQLite data folder; ignored when `postgresUrl` is given. */
  dataDir: string;
  postgresUrl?: string;
}

/** Starts the embedded server on a free port of 127.0.0.1 and resolves once it accepts connections. */
export async function startEmbeddedDb(options: EmbeddedDbOptions): Promise<RunningDb> {
  const { uri, child } = await spawnEmbeddedDb(options, '127.0.0.1:0');
  return { uri, stop: () => stopChild(child) };
}

/**
 * How many commands a process (each thread's connection) sends the embedded server on SQLite at
 * once. SQLite takes one writer at a time; FerretDB opens a SQLite connection per command, and a
 * writer finding the lock taken sleeps in SQLite's busy handler (or is refused, retryWhileBusy),
 * so with the driver's default of 100 the database was idle between sleeping writers while
 * requests waited. Measured (docs/benchmarks.md): the soak's 3 minutes at 30 requests/s went from
 * 4,280 of 5,400 acknowledged within 3 s (100) to 4,945 (8), and to all 5,400 with the Slack work
 * thread; the server's memory from 100 to 55 MB.
 */
export const SQLITE_POOL_SIZE = 8;

/** The embedded SQLite server's address, with the driver's pool bounded to what SQLite can use. */
export function withSqlitePool(uri: string): string {
  const url = new URL(uri);
  if (!url.searchParams.has('maxPoolSize')) url.searchParams.set('maxPoolSize', String(SQLITE_POOL_SIZE));
  return url.toString();
}

/** Starts one server process listening on `listen` (`host:port`, port 0 for any free one). */
export function spawnEmbeddedDb(options: EmbeddedDbOptions, listen: string): Promise<EmbeddedDbProcess> {
  const args = ['-listen', listen];
  if (options.postgresUrl) args.push('-postgresql', options.postgresUrl);
  else args.push('-data', options.dataDir);

  // stdin stays a pipe we hold: when this process dies, the server sees EOF and exits too.
  const child = spawn(options.binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });

  return new Promise<EmbeddedDbProcess>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new EmbeddedDbUnavailable(`the embedded database did not start within 30 s: ${stderr}`));
    }, 30_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new EmbeddedDbUnavailable(`could not run ${options.binary}: ${error.message}`));
    });
    const exitedEarly = (code: number | null) => {
      clearTimeout(timer);
      reject(new EmbeddedDbUnavailable(`the embedded database exited with code ${String(code)}: ${stderr}`));
    };
    child.once('exit', exitedEarly);
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      try {
        const { uri } = JSON.parse(line) as { uri: string };
        child.removeListener('exit', exitedEarly);
        resolvePromise({ uri: options.postgresUrl ? uri : withSqlitePool(uri), child });
      } catch {
        child.kill('SIGKILL');
        reject(new EmbeddedDbUnavailable(`the embedded database printed ${line} instead of its address`));
      }
    });
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.removeAllListeners('error');
    child.kill('SIGTERM');
  });
}
