import { rm } from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__OPSDESK_TEST_DB__?.stop();
  if (process.env.OPSDESK_TEST_DB_DIR) await rm(process.env.OPSDESK_TEST_DB_DIR, { recursive: true, force: true });
}
