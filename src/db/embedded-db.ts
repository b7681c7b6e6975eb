import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { FERRETDB_OVERLAY, prepareFerretDb, type PreparedBuild } from './ferretdb-overlay';

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
const SOURCE_FILES = ['main.go', 'id_index.go', 'go.mod', 'go.sum', ...Object.values(FERRETDB_OVERLAY).map((file) => `ferretdb-overlay/${file}`)];
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
  let prepared: PreparedBuild | undefined;
  try {
    await mkdir(BUILD_FOLDER, { recursive: true });
    try {
      prepared = await prepareFerretDb(EMBEDDED_DB_SOURCE, BUILD_FOLDER);
    } catch (error) {
      const detail = (error as { stderr?: string }).stderr || (error instanceof Error ? error.message : String(error));
      throw new EmbeddedDbUnavailable(`FerretDB could not be prepared with embedded-db/ferretdb-overlay/ in ${BUILD_FOLDER}:\n${detail.slice(-2000)}`);
    }
    await run('go', ['build', '-trimpath', `-modfile=${prepared.goMod}`, '-o', partial, '.'], {
      cwd: EMBEDDED_DB_SOURCE,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, CGO_ENABLED: '0' },
    });
  } catch (error) {
    if (error instanceof EmbeddedDbUnavailable) throw error;
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new EmbeddedDbUnavailable(`go build of the embedded database failed:\n${stderr.slice(-2000)}`);
  } finally {
    clearInterval(progress);
    await prepared?.done();
  }
  log(`built the embedded database in ${Math.round((Date.now() - started) / 1000)} s`);
  await rename(partial, binary);
  return binary;
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

  // stdin stays a pipe we hold: when this process dies, the server sees EOF and exits too. A
  // process group of its own: a signal to opsdesk's group (Ctrl-C in its terminal) reaches opsdesk
  // alone, whose stop still needs the server and stops it last.
  const child = spawn(options.binary, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
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
