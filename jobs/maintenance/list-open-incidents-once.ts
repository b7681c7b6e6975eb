import { claimKey } from '../../src/services/record-keys';
import type { JobContext } from '../job-context';

/** Inserted once every open incident is in its lists: a later start skips the pass. */
export const INCIDENTS_LISTED_KEY = 'upgrade:incident-lists';

/**
 * A database from before the lists (docs/storage.md §2) has open incidents in no list: nobody's
 * `/itsm mine`, no queue, no status would show them. The first start on it reads the open
 * incidents once (the whole collection) and writes each into its lists, then marks that done.
 * Writing an incident into a list it is in already is harmless (a member at its highest version),
 * so a pass interrupted, or run by two processes starting at once, is simply done again.
 */
export async function listOpenIncidentsOnce(ctx: JobContext): Promise<number | undefined> {
  if (await ctx.models.RecordKey.findById(INCIDENTS_LISTED_KEY).lean()) return undefined;
  const started = Date.now();
  const listed = await ctx.incidents.listEveryOpen();
  await claimKey(ctx.models.RecordKey, INCIDENTS_LISTED_KEY, `${listed} open incidents`);
  ctx.log.info({ listed, ms: Date.now() - started }, 'open incidents written into their lists (a database from before the lists)');
  return listed;
}
