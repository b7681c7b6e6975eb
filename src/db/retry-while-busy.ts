import { setTimeout as sleep } from 'node:timers/promises';

const ATTEMPTS = 12;

/** FerretDB over SQLite refuses a write when another holds the database ("database is locked"). */
export const isStorageBusy = (error: unknown): boolean => /SQLITE_BUSY|database is locked/.test(String((error as Error)?.message ?? error));

/**
 * Runs a write again while the storage is busy. Measured with `npm run bench` (100 Slack
 * requests/s): FerretDB 1.24 on SQLite answers a few concurrent writes with SQLITE_BUSY at once,
 * busy timeout or not, and refuses them before anything is written, so trying again is safe.
 * MongoDB never answers this; there the first attempt is the only one.
 */
export async function retryWhileBusy<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isStorageBusy(error) || attempt >= ATTEMPTS) throw error;
      await sleep(Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random()));
    }
  }
}
