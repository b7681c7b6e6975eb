import { resolve } from 'node:path';
import { loadEnv } from '../config/env';
import { loadItsmConfig } from '../config/load-itsm-config';
import { DatabaseInUse, withDatabaseForCommand } from '../db/database-for-command';
import { personIdForEmail } from '../people/people-directory';
import { ConsoleSignIn } from '../services/console-sign-in';

const USAGE = 'usage: npm run console:token -- <e-mail of a configured person> [--revoke]';

/**
 * `npm run console:token -- <e-mail>`: a sign-in token for the web console when it is exposed
 * (OPSDESK_CONSOLE_SIGN_IN=tokens), printed once; only its hash is stored. `--revoke` revokes the
 * person's tokens and ends their sessions. Exit 0 done, 1 refused, 2 could not run.
 */
async function main(args: string[]): Promise<number> {
  const revoke = args.includes('--revoke');
  const email = args.find((a) => !a.startsWith('--'))?.trim().toLowerCase();
  if (!email || args.some((a) => a.startsWith('--') && a !== '--revoke')) {
    process.stderr.write(`${USAGE}\n`);
    return 1;
  }
  const env = loadEnv();
  const config = await loadItsmConfig(resolve(env.OPSDESK_CONFIG));
  const person = config.people.find((p) => p.email.toLowerCase() === email);
  if (!person) {
    process.stderr.write(`${email} is not a person in ${env.OPSDESK_CONFIG}: add them under people first.\n`);
    return 1;
  }
  return withDatabaseForCommand(env, 'npm run console:token', async (database) => {
    const signIn = new ConsoleSignIn(database.models, () => new Date());
    if (revoke) {
      const revoked = await signIn.revoke(personIdForEmail(email));
      process.stdout.write(`Revoked ${revoked} console token(s) of ${person.name} and ended their sessions.\n`);
      return 0;
    }
    const token = await signIn.createToken(personIdForEmail(email));
    process.stdout.write(`Console token for ${person.name} <${email}> (shown once; only its hash is kept):\n${token}\n`);
    return 0;
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof DatabaseInUse ? 1 : 2);
  },
);
