import { loadEnv } from '../config/env';
import { DatabaseInUse, withDatabaseForCommand } from '../db/database-for-command';
import { removeSamples } from './remove-samples';

/**
 * `npm run samples:remove`: removes the sample tickets made on first start. Exit code 0 once
 * removed, 1 when the embedded database is in use by a running opsdesk, 2 when it could not run.
 */
async function main(): Promise<number> {
  const { removed } = await withDatabaseForCommand(loadEnv(), 'npm run samples:remove', (database) => removeSamples(database.models));
  process.stdout.write(removed === 1 ? 'Removed 1 sample ticket.\n' : `Removed ${removed} sample tickets.\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof DatabaseInUse) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`the samples could not be removed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
