/**
 * The layer rules of DESIGN.md, checked in CI (`npm run lint`).
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'core-knows-no-platform',
      comment: 'handlers/, jobs/ and src/ are platform-neutral: no adapter code and no chat SDK (main.ts, the entry point, wires the adapters in).',
      severity: 'error',
      from: { path: '^(src|handlers|jobs)/', pathNot: '^src/main\\.ts$' },
      to: { path: '^adapters/|node_modules/(@slack|botbuilder|botframework|@microsoft)' },
    },
    {
      name: 'domain-has-no-io',
      comment: 'src/domain holds rules only: no database, no file system, no network, no services.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/(?!domain/)|node_modules/(mongoose|mongodb|express|pino)|^(fs|net|http|https|child_process)$' },
    },
    {
      name: 'adapters-stay-apart',
      comment: 'A platform adapter does not reach into another platform.',
      severity: 'error',
      from: { path: '^adapters/([^/]+)/' },
      to: { path: '^adapters/', pathNot: ['^adapters/$1/', '^adapters/shared/'] },
    },
    {
      name: 'handlers-not-from-services',
      comment: 'Data flows adapter → handler → service: services and models never call handlers (the composition root may wire them).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/app\\.ts$' },
      to: { path: '^handlers/' },
    },
    {
      name: 'jobs-wired-by-the-composition-root',
      comment: 'Jobs are registered by src/app.ts and scheduled by src/main.ts; nothing else reaches into jobs/.',
      severity: 'error',
      from: { path: '^(src|handlers|adapters)/', pathNot: '^src/(app|main)\\.ts$' },
      to: { path: '^jobs/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|test|bench)/' },
  },
};
