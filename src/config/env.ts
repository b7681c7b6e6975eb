import { z } from 'zod';
import { ConfigError, formatIssues } from './format-config-errors';

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/**
 * The Slack work thread's nice values below the answering thread's, by default. On a core short of
 * time the answering thread then goes first: pinned to one core (about the insert rate the issue's
 * aim is set at), the Slack bench's acknowledgement p99 was 18 s at the same priority and 37–58 ms
 * at 10 lower (docs/benchmarks.md).
 */
export const WORK_THREAD_LOWER_BY = 10;

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number({ message: 'expected a port number' }).int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  MONGODB_URI: optionalText.pipe(
    z.string().regex(/^mongodb(\+srv)?:\/\//, 'expected a URI starting with mongodb:// or mongodb+srv://').optional(),
  ),
  // At most 56: the intake is kept in `<name>_intake`, and a database name has at most 63.
  MONGODB_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'expected a database name (letters, digits, _ and -)')
    .max(56, 'expected at most 56 characters (opsdesk keeps its intake in a database named after it, with _intake)')
    .default('opsdesk'),
  OPSDESK_DATA_DIR: z.string().default('.data'),
  OPSDESK_CONFIG: z.string().default('opsdesk.example.yml'),
  OPSDESK_EMBEDDED_DB_PG: optionalText,
  /** Seconds a process may go silent (killed, stopped mid-work) before another takes its acknowledged work over. */
  OPSDESK_TAKEOVER_SECONDS: z.coerce.number({ message: 'expected a number of seconds' }).int().min(3).max(3600).default(30),
  /** Seconds a stopping process waits for the work it has acknowledged before closing the database. */
  OPSDESK_STOP_GRACE_SECONDS: z.coerce.number({ message: 'expected a number of seconds' }).int().min(0).max(600).default(20),
  /** Seconds a channel's lines may wait for their turn (Slack: a message a second per channel) before they are gathered into one message. */
  OPSDESK_COALESCE_AFTER_SECONDS: z.coerce.number({ message: 'expected a number of seconds' }).int().min(1).max(40).default(5),
  /** Days that retry keys and finished notifications are kept before the daily purge removes them. */
  OPSDESK_RETENTION_DAYS: z.coerce.number({ message: 'expected a number of days' }).int().min(1).max(3650).default(30),
  /** Slack requests received and not yet answered beyond which new ones are turned away as busy. */
  OPSDESK_BUSY_AFTER_REQUESTS: z.coerce.number({ message: 'expected a number of requests' }).int().min(1).max(100_000).default(200),
  /** Work after acknowledgements still running beyond which new requests are turned away as busy. */
  OPSDESK_BUSY_AFTER_WORK: z.coerce.number({ message: 'expected a number of requests' }).int().min(1).max(1_000_000).default(2_000),
  /**
   * Slack's work after each acknowledgement, and the scheduled work, in a thread of their own (Slack
   * over HTTP with a bot token, no Teams): the thread answering Slack then never waits behind
   * either (docs/architecture.md). `off`: one thread does everything.
   */
  OPSDESK_WORK_THREAD: z.enum(['on', 'off'], { message: 'expected on or off' }).default('on'),
  /** How many nice values lower the Slack work thread runs than the thread that answers (Linux). */
  OPSDESK_WORK_THREAD_LOWER_BY: z.coerce.number({ message: 'expected a number from 0 to 19' }).int().min(0).max(19).default(WORK_THREAD_LOWER_BY),
  /** The web console at / (and its delivery of notifications): on unless turned off. */
  OPSDESK_CONSOLE: z.enum(['on', 'off'], { message: 'expected on or off' }).default('on'),
  /** `tokens`: people sign in to the console with a token (npm run console:token); required when HOST is not this machine's own. */
  OPSDESK_CONSOLE_SIGN_IN: optionalText.pipe(z.enum(['tokens'], { message: 'expected tokens (or unset, on this machine only)' }).optional()),
  /** A few sample tickets on an empty database, so that the console shows something at once. */
  OPSDESK_SAMPLES: z.enum(['on', 'off'], { message: 'expected on or off' }).default('on'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SLACK_BOT_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText.pipe(z.string().startsWith('xapp-', 'expected an app-level token starting with xapp-').optional()),
  SLACK_CLIENT_ID: optionalText,
  SLACK_CLIENT_SECRET: optionalText,
  SLACK_STATE_SECRET: optionalText,
  /** Where the Slack Web API is (tests point it at a local recorder). */
  SLACK_API_URL: optionalText.pipe(z.url({ message: 'expected a URL like https://slack.com/api/' }).optional()),
  MICROSOFT_APP_ID: optionalText,
  MICROSOFT_APP_PASSWORD: optionalText,
  MICROSOFT_APP_TENANT_ID: optionalText,
  /** The Microsoft 365 tenants whose people may use opsdesk in Teams (comma-separated); default: MICROSOFT_APP_TENANT_ID. */
  OPSDESK_TEAMS_TENANTS: optionalText,
  MICROSOFT_APP_TYPE: z.enum(['MultiTenant', 'SingleTenant']).default('MultiTenant'),
}).superRefine((env, issues) => {
  // OAuth installs carry a state signed with this secret: a secret made up per process fails every
  // install whose redirect reaches another process (several processes behind a load balancer).
  if (env.SLACK_CLIENT_ID && env.SLACK_CLIENT_SECRET && !env.SLACK_STATE_SECRET) {
    issues.addIssue({ code: 'custom', path: ['SLACK_STATE_SECRET'], message: 'required with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (OAuth installs): the same long random text in every process' });
  }
  if (env.SLACK_CLIENT_ID && !env.SLACK_CLIENT_SECRET) {
    issues.addIssue({ code: 'custom', path: ['SLACK_CLIENT_SECRET'], message: 'required with SLACK_CLIENT_ID (OAuth installs)' });
  }
});

export type Env = z.infer<typeof envSchema>;

/** The environment, validated; throws a ConfigError naming every wrong variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) throw new ConfigError('The environment', formatIssues(result.error.issues));
  return result.data;
}
