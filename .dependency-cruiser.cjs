/**
 * The layer rules of docs/architecture.md, checked in CI (`npm run lint`).
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'core-knows-no-platform',
      comment: 'handlers/, jobs/ and src/ are platform-neutral: no adapter code and no chat SDK (main.ts, the entry point, wires the adapters in, and slack-work-thread.ts, the entry of the Slack work thread).',
      severity: 'error',
      from: { path: '^(src|handlers|jobs)/', pathNot: '^src/(main|slack-work-thread)\\.ts$' },
      to: { path: '^adapters/|node_modules/(@slack|botbuilder|botframework|@microsoft)' },
    },
    {
      name: 'domain-has-no-io',
      comment:
        'src/domain holds rules only: no services, models or other core code, and no database, HTTP, logging, chat or job library. ' +
        '(`^node:` catches a node:-prefixed built-in this Node does not know, which dependency-cruiser leaves unresolved.)',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: {
        path: [
          '^src/(?!domain/)',
          '^node:',
          'node_modules/(mongoose|mongodb|bson|@agendajs|agenda|express|pino|@slack|botbuilder|botframework|@microsoft|undici|axios|node-fetch|got|ws)/',
        ],
      },
    },
    {
      name: 'domain-imports-no-node-builtins',
      comment:
        'src/domain does no I/O: no Node built-in at all (fs, fs/promises, dns, net, http, https, http2, child_process, worker_threads…). ' +
        'dependency-cruiser reports `node:fs` as the core module `fs` (the prefix is not matchable), so the rule forbids core modules in ' +
        'either spelling: allowing `util` while forbidding `node:util` would only be a question of spelling.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'adapters-reach-storage-through-services',
      comment:
        'Adapters store and read only through services (src/services): no mongoose model, schema or connection. ' +
        'A type-only import of a document type (src/models/*.model.ts) is allowed: the services speak in documents ' +
        '(NotificationDeliverer.deliver(NotificationDoc)) and a type import gives no access to storage.',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: '^src/(models|db)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'adapters-hold-no-storage-handle',
      comment:
        'Adapters know no database driver and no storage handle, not even as a type: mongoose, mongodb, bson, src/db, ' +
        'and the model registry (src/models/models.ts) and shared schemas (only document types, type-only, are allowed).',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: ['node_modules/(mongoose|mongodb|bson)/', '^src/db/', '^src/models/(?![^/]+\\.model\\.ts$)'] },
    },
    {
      name: 'handlers-query-through-services',
      comment:
        'Handlers read and change records through services (HandlerContext), never through a model or the database driver. ' +
        'Type-only imports of document types (IncidentDoc…) are allowed: handlers work on the documents services return.',
      severity: 'error',
      from: { path: '^handlers/' },
      to: { path: ['^src/(models|db)/', 'node_modules/(mongoose|mongodb|bson)/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'jobs-do-not-call-handlers',
      comment: 'Jobs enter at the services, as handlers do (docs/architecture.md): a job never runs or imports a handler, not even its types.',
      severity: 'error',
      from: { path: '^jobs/' },
      to: { path: '^handlers/' },
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
      // The first start's sample tickets are made as people make them: through the handlers.
      from: { path: '^src/', pathNot: '^src/(app\\.ts|samples/create-samples\\.ts)$' },
      to: { path: '^handlers/' },
    },
    {
      name: 'jobs-wired-by-the-composition-root',
      comment: 'Jobs are registered by src/app.ts and scheduled by src/scheduled-work.ts (which the composition roots start); nothing else reaches into jobs/.',
      severity: 'error',
      from: { path: '^(src|handlers|adapters)/', pathNot: '^src/(app|main|scheduled-work)\\.ts$' },
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
