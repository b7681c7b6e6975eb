import type { Models } from '../models/models';
import { unpackPage, unpackRecords, type ListedRecord } from '../models/record-list.model';
import { RecordLists } from '../services/record-lists';

/**
 * Writes the records out of every list of open records that holds them, as a record leaves a list
 * (a departure at its version). A list's changes are not deleted: they are slots read in order up
 * to the first free one (src/services/record-lists.ts), so a hole would hide the changes after it;
 * they go with the daily purge, and the departures leave the pages an hour after.
 */
export async function writeOutOfLists(models: Models, records: readonly { _id: string; version: number }[], now: () => Date): Promise<number> {
  const versions = new Map(records.map((r) => [r._id, r.version]));
  if (versions.size === 0) return 0;
  const ids = [...versions.keys()];
  // Each list that holds a record, with where it holds it (its item) when known.
  const holding = new Map<string, Map<string, ListedRecord['item']>>();
  const hold = (list: string, member: { recordId: string; item?: ListedRecord['item'] }) => {
    const members = holding.get(list) ?? new Map<string, ListedRecord['item']>();
    members.set(member.recordId, member.item ?? members.get(member.recordId));
    holding.set(list, members);
  };
  for (const entry of await models.ListEntry.find({ recordId: { $in: ids } }, { list: 1, recordId: 1, item: 1 }).lean()) hold(entry.list, entry);
  // Changes folded and purged live on in the pages only, or, for a head from before pages, in the head.
  for await (const page of models.ListPage.find({}, { list: 1, records: 1 }).lean().cursor()) {
    if (!ids.some((id) => page.records.includes(`"${id}"`))) continue;
    for (const member of unpackPage(page.records)) if (versions.has(member.recordId) && !member.gone) hold(page.list, member);
  }
  for await (const head of models.ListSnapshot.find({ records: { $exists: true } }, { records: 1 }).lean().cursor()) {
    if (!ids.some((id) => head.records?.includes(`"${id}"`))) continue;
    for (const member of unpackRecords(head.records)) if (versions.has(member.recordId) && !member.gone) hold(head._id, member);
  }
  const lists = new RecordLists(models, now);
  let written = 0;
  for (const [list, members] of holding) {
    for (const [recordId, item] of members) {
      await lists.write(list, { recordId, version: versions.get(recordId) ?? 0, ...(item ? { item } : {}), gone: true });
      written += 1;
    }
  }
  return written;
}
