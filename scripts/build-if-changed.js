#!/usr/bin/env node
// Runs the TypeScript build only when a source file (or the build's configuration) changed since
// the last build: a start with nothing changed does not wait for the compiler.
'use strict';
const { readdirSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
// Written after each successful build (the compiler leaves its own files alone when nothing changed).
const stamp = join(root, 'dist', '.built');
const sources = ['src', 'adapters', 'handlers', 'jobs', 'bench', 'test/support/slack'];
const configs = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function newestIn(path) {
  let newest = 0;
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestIn(join(path, entry)));
  return newest;
}

let built = 0;
try {
  built = statSync(stamp).mtimeMs;
} catch {
  built = 0;
}
const changed = Math.max(...sources.map((s) => newestIn(join(root, s))), ...configs.map((c) => newestIn(join(root, c))));
// A build whose output went missing (dist/ partly removed) is done again, from scratch.
const complete = newestIn(join(root, 'dist', 'src', 'main.js')) > 0;
if (built > 0 && complete && changed <= built) process.exit(0);
if (!complete) require('node:fs').rmSync(join(root, 'dist', '.tsbuildinfo'), { force: true });
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  process.stderr.write('opsdesk: TypeScript is not installed (npm install without --omit=dev installs it), so opsdesk cannot be built\n');
  process.exit(1);
}
const started = new Date();
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
// Stamped with the build's start: a file saved while it compiled is built again next time.
writeFileSync(stamp, started.toISOString());
require('node:fs').utimesSync(stamp, started, started);
