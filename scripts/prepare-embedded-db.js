#!/usr/bin/env node
// After `npm install`: builds opsdesk, then the embedded database (go build, a few minutes the
// first time), so that the first `npm start` is ready at once. Without Go, it says what to do and
// lets the install succeed: MONGODB_URI can point at a MongoDB server instead.
'use strict';
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const say = (line) => process.stdout.write(`opsdesk: ${line}\n`);
const build = spawnSync(process.execPath, [join(__dirname, 'build-if-changed.js')], { stdio: 'inherit' });
if (build.status !== 0) {
  // The install itself stands: npm start and npm test build again, and say what is wrong.
  say('opsdesk could not be built now; npm start builds it (and the embedded database) again');
  process.exit(0);
}
const { ensureEmbeddedDbBinary } = require(join(root, 'dist', 'src', 'db', 'embedded-db.js'));
ensureEmbeddedDbBinary(say).then(
  (binary) => say(`the embedded database is ready (${binary}); start opsdesk with: npm start`),
  (error) => {
    say(`the embedded database could not be built: ${error.message}`);
    say('opsdesk needs it unless MONGODB_URI points at a MongoDB server; npm start tries the build again.');
  },
);
