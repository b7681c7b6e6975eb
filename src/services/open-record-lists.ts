import type { ListedRecord } from '../models/record-list.model';
import { priorityOf, type ListOrder } from './list-pages';
import type { RecordLists } from './record-lists';

const PLACED_KEPT = 10_000;

/** A record the lists hold: its number, version, when it was opened and (records) its priority. */
interface ListableRecord {
  _id: string;
  version: number;
  createdAt: Date;
  priority?: string;
}

/** An open record as a list knows it: enough to sort, count and page without reading it. */
export interface OpenRecord {
  number: string;
  version: number;
  priority: string;
  createdAt: number;
  /** The lists read that hold it. */
  lists: string[];
}

export type { ListOrder };

const byCode = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The lists' orders (list-pages.ts), on what a list knows of a record. */
const ORDERS: Record<ListOrder, (a: OpenRecord, b: OpenRecord) => number> = {
  newest: (a, b) => b.createdAt - a.createdAt || byCode(b.number, a.number),
  mostUrgent: (a, b) => byCode(a.priority, b.priority) || a.createdAt - b.createdAt || byCode(a.number, b.number),
};

export interface RecordPage<T> {
  records: T[];
  /** Open records in the lists, all pages together. */
  total: number;
}

const asOpen = (listed: ListedRecord, list: string): OpenRecord => ({
  number: listed.recordId,
  version: listed.version,
  priority: priorityOf(listed),
  createdAt: Number(listed.item?.createdAt ?? 0),
  lists: [list],
});

/**
 * The open records of a requester, a group, a service or an approver, kept in record lists (see
 * record-lists.ts) as each record changes: reading a page costs the list and the page's records,
 * whatever the history holds. `listsOf` says which lists a record is in as it now is.
 */
export class OpenRecordLists<T extends ListableRecord> {
  /**
   * The version of each record this process last wrote into its lists: a new record's job is
   * run twice (at once, and from its timer), and its second run writes nothing.
   */
  private readonly placed = new Map<string, number>();

  constructor(
    private readonly lists: RecordLists,
    /** The records with these numbers, in that order (null where there is none). */
    private readonly load: (numbers: readonly string[]) => Promise<(T | null)[]>,
    private readonly listsOf: (record: T) => string[],
  ) {}

  /** Writes the record into the lists it is now in, and out of those it was in before (`before`). */
  async place(record: T, before?: T | null): Promise<void> {
    const placed = this.placed.get(record._id) ?? 0;
    if (placed >= record.version) return;
    const wrote = await this.write(record, before);
    // A change that moved nothing stands for its record's listing only where the version before it
    // was listed: a record changed before its own creation was listed (its `created` job yet to
    // run here) must still be listed by that job, not taken for listed already.
    if (!wrote && before && placed < before.version) return;
    if (this.placed.size >= PLACED_KEPT) this.placed.clear();
    this.placed.set(record._id, record.version);
  }

  /** Writes the record's lists; false when the change moved nothing and nothing was written. */
  private async write(record: T, before?: T | null): Promise<boolean> {
    const now = this.listsOf(record);
    const was = before ? this.listsOf(before) : [];
    // Most changes (a comment, an acknowledgement) move nothing: the lists already say all they hold.
    if (before && was.join() === now.join() && before.priority === record.priority) return false;
    const left = was.filter((l) => !now.includes(l));
    const item = { ...(record.priority ? { priority: record.priority } : {}), createdAt: new Date(record.createdAt).getTime() };
    await Promise.all([
      ...now.map((list) => this.lists.write(list, { recordId: record._id, version: record.version, item })),
      // A departure says where the record was (when it was opened), so that a fold finds it in one page.
      ...left.map((list) => this.lists.write(list, { recordId: record._id, version: record.version, item, gone: true })),
    ]);
    return true;
  }

  /** The open records of these lists, sorted, without reading the records: every page of each list. */
  async open(lists: readonly string[], order: ListOrder): Promise<OpenRecord[]> {
    return merged(lists, await Promise.all(lists.map((l) => this.lists.members(l))), order);
  }

  /**
   * The first `wanted` open records of these lists, sorted, and how many they hold: each list's
   * first `wanted` read, not the rest. A record in two of the lists is counted once where both are
   * read, and twice beyond that (the lists of a record are rarely several of one reader's).
   */
  async first(lists: readonly string[], order: ListOrder, wanted: number): Promise<{ open: OpenRecord[]; total: number }> {
    const read = await Promise.all(lists.map((l) => this.lists.first(l, order, wanted)));
    const open = merged(lists, read.map((r) => r.records), order);
    const listedTwice = read.reduce((n, r) => n + r.records.length, 0) - open.length;
    return { open: open.slice(0, wanted), total: read.reduce((n, r) => n + r.total, 0) - listedTwice };
  }

  /**
   * One page (from 0) of the open records of these lists, read by number: the lists' pages up to
   * it, and its records. A record found no longer where a list has it (its departure was not
   * written: a crash in between) is left out and written out of that list, so the lists mend as
   * they are read.
   */
  async page(lists: readonly string[], order: ListOrder, page: number, size: number): Promise<RecordPage<T>> {
    const { open, total } = await this.first(lists, order, (page + 1) * size);
    const wanted = open.slice(page * size, (page + 1) * size);
    const records = await this.current(wanted);
    return { records, total: total - (wanted.length - records.length) };
  }

  /** These records as they are now, those still in a list that holds them only. */
  async current(listed: readonly OpenRecord[]): Promise<T[]> {
    const found = await this.load(listed.map((o) => o.number));
    const mending: Promise<void>[] = [];
    const kept = listed.flatMap((o, i) => {
      const record = found[i];
      const now = record ? this.listsOf(record) : [];
      // Written out at the version the list holds (a later entry wins a tie), or at the record's own.
      const version = Math.max(o.version, record?.version ?? 0);
      const item = { priority: o.priority, createdAt: o.createdAt };
      for (const list of o.lists.filter((l) => !now.includes(l))) mending.push(this.lists.write(list, { recordId: o.number, version, item, gone: true }));
      return record && o.lists.some((l) => now.includes(l)) ? [record] : [];
    });
    await Promise.all(mending);
    return kept;
  }
}

/** The records of lists read together, each once (with every list read that holds it), sorted. */
function merged(lists: readonly string[], read: readonly ListedRecord[][], order: ListOrder): OpenRecord[] {
  const byNumber = new Map<string, OpenRecord>();
  read.forEach((members, i) => {
    for (const member of members) {
      const known = byNumber.get(member.recordId);
      if (known) known.lists.push(lists[i] as string);
      else byNumber.set(member.recordId, asOpen(member, lists[i] as string));
    }
  });
  return [...byNumber.values()].sort(ORDERS[order]);
}
