import { resolve } from 'node:path';
import { loadEnv } from '../config/env';
import { connectDatabase } from '../db/connect';
import { provisionDatabase } from '../db/provision-database';
import type { AuditedRecord } from './verify-audit-chains';
import { verifyAuditChains } from './verify-audit-chains';

/**
 * `npm run audit:verify`: walks every audited record's chain of audit events and reports any
 * event that was altered, removed or inserted. Exit code 0 when every chain holds, 1 otherwise.
 */
async function main(): Promise<number> {
  const env = loadEnv();
  const provisioned = await provisionDatabase({
    mongodbUri: env.MONGODB_URI,
    dataDir: resolve(env.OPSDESK_DATA_DIR),
    embeddedPostgresUrl: env.OPSDESK_EMBEDDED_DB_PG,
    log: (msg) => process.stderr.write(`${msg}\n`),
  });
  const database = await connectDatabase(provisioned.uri, env.MONGODB_DB);
  try {
    const { models } = database;
    let failed = false;
    for (const [kind, model] of [
      ['incidents', models.Incident],
      ['service requests', models.ServiceRequest],
      ['problems', models.Problem],
      ['changes', models.Change],
      ['knowledge articles', models.KnowledgeArticle],
    ] as const) {
      // The driver's cursor: these fields are all the check reads, whatever the record kind.
      const records = model.collection.find({}, { projection: { number: 1, version: 1, auditHead: 1 } }) as unknown as AsyncIterable<AuditedRecord>;
      const report = await verifyAuditChains(models.AuditEvent, records);
      process.stdout.write(`${kind}: ${report.records} records, ${report.events} events, ${report.problems.length} problems\n`);
      for (const problem of report.problems) process.stdout.write(`  ${problem.record}: ${problem.problem}\n`);
      failed ||= report.problems.length > 0;
    }
    return failed ? 1 : 0;
  } finally {
    await database.close();
    await provisioned.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`audit verification could not run: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
