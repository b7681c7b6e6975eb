import type { Models } from '../models/models';
import { unpackRecords } from '../models/record-list.model';
import { RecordLists } from '../services/record-lists';

/**
 * Writes the records out of every list of open records that holds them, as a record leaves a list
 * (a departure at its version). A list's changes are not deleted: they are slots read in order up
 * to the first free one (src/services/record-lists.ts), so a hole would hide the changes after it;
 * they go with the daily purge, and the departures leave the snapshots an hour after.
 */
export async function writeOutOfLists(models: Models, records: readonly { _id: string; version: number }[], now: () => Date): Promise<number> {
  const versions = new Map(records.map((r) => [r._id, r.version]));
  if (versions.size === 0) return 0;
  const ids = [...versions.keys()];
  const holding = new Map<string, Set<string>>();
  const hold = (list: string, id: string) => holding.set(list, (holding.get(list) ?? new Set()).add(id));
  for (const entry of await models.ListEntry.find({ recordId: { $in: ids } }, { list: 1, recordId: 1 }).lean()) hold(entry.list, entry.recordId);
  // Changes folded and purged live on in the snapshots only.
  for await (const snapshot of models.ListSnapshot.find({}, { records: 1 }).lean().cursor()) {
    if (!ids.some((id) => snapshot.records.includes(`"${id}"`))) continue;
    for (const member of unpackRecords(snapshot.records)) if (versions.has(member.recordId) && !member.gone) hold(snapshot._id, member.recordId);
  }
  const lists = new RecordLists(models, now);
  let written = 0;
  for (const [list, members] of holding) {
    for (const recordId of members) {
      await lists.write(list, { recordId, version: versions.get(recordId) ?? 0, gone: true });
      written += 1;
    }
  }
  return written;
}
