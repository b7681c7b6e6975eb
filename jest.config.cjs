/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // swc strips types (tsc checks them in `npm run typecheck`); it also transforms the ESM-only
  // agenda packages, which jest cannot require by itself.
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  transformIgnorePatterns: ['/node_modules/(?!(agenda|@agendajs)/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  // One test file at a time: the real-process tests drive opsdesk at Slack's limits and check that
  // no call went over them, and a second file running beside them on a 2-core machine starves the
  // process they measure (its sends bunch up after a stall). About 30 minutes in all.
  maxWorkers: 1,
  // In a worker all the same (jest runs a single worker's files in its own process otherwise):
  // what a file leaves behind ends with its worker, and a worker grown past this is started afresh.
  workerIdleMemoryLimit: '1GB',
};
