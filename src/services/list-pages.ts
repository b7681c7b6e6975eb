import type { ListedRecord } from '../models/record-list.model';

/**
 * Where a record sits in its list's pages: when it was opened, then its number. Neither ever
 * changes, so a change to a record (a new priority, a departure) is always found in one page.
 */
export type PlaceKey = readonly [number, string];

/** One page of a list, as the list's head names it: the last place it holds, and what it counts. */
export interface PageRef {
  id: string;
  last: PlaceKey;
  /** Members (departures not counted). */
  live: number;
  /** Members by priority: a list read most urgent first finds its first page from these. */
  byPriority: Record<string, number>;
  /** When the page was written (ms): a page with no member left, written an hour ago, holds nothing worth keeping. */
  at: number;
}

export type ListOrder = 'newest' | 'mostUrgent';

/** Pages are split past this many records (departures too), into pages of PAGE_TARGET. */
export const PAGE_MAX = 256;
export const PAGE_TARGET = 200;
/** A page a fold leaves with fewer records than this is joined to the next (and split again if that makes it too big). */
export const PAGE_MIN = 32;
/**
 * How long a departure stays in its page: an entry for an older version written late (a slow
 * writer) must not bring the record back. Far longer than any write takes.
 */
export const DEPARTURE_KEPT_MS = 60 * 60_000;

export const priorityOf = (record: { item?: Record<string, string | number> }): string => String(record.item?.priority ?? 'P4');

export function keyOf(record: { recordId: string; item?: Record<string, string | number> }): PlaceKey | undefined {
  return record.item ? [Number(record.item.createdAt ?? 0), record.recordId] : undefined;
}

export const compareKeys = (a: PlaceKey, b: PlaceKey): number => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);

/** The lists' two orders, on the place key: newest first, or most urgent (priority, then oldest) first. */
export const LIST_ORDERS: Record<ListOrder, (a: ListedRecord, b: ListedRecord) => number> = {
  newest: (a, b) => compareKeys(keyOf(b) ?? [0, b.recordId], keyOf(a) ?? [0, a.recordId]),
  mostUrgent: (a, b) => {
    const pa = priorityOf(a);
    const pb = priorityOf(b);
    return (pa < pb ? -1 : pa > pb ? 1 : 0) || compareKeys(keyOf(a) ?? [0, a.recordId], keyOf(b) ?? [0, b.recordId]);
  },
};

/** The page that holds (or would hold) `key`: the first whose last place is at or after it, else the last. */
export function locate(pages: readonly PageRef[], key: PlaceKey): number {
  let low = 0;
  let high = pages.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (compareKeys((pages[mid] as PageRef).last, key) >= 0) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** Counts a page's members, and names its last place (a page emptied keeps the one it had). */
export function describe(id: string, records: readonly ListedRecord[], at: number, last?: PlaceKey): PageRef {
  const byPriority: Record<string, number> = {};
  let live = 0;
  for (const record of records) {
    if (record.gone) continue;
    live += 1;
    const priority = priorityOf(record);
    byPriority[priority] = (byPriority[priority] ?? 0) + 1;
  }
  const end = records.at(-1);
  return { id, last: end ? (keyOf(end) as PlaceKey) : (last ?? [0, '']), live, byPriority, at };
}

/**
 * The pages to read for the first `wanted` members in `order`: from the end for the newest; for
 * the most urgent, each priority in turn through the pages that count some of it.
 */
export function pagesFor(pages: readonly PageRef[], order: ListOrder, wanted: number): string[] {
  if (!Number.isFinite(wanted)) return pages.map((p) => p.id);
  const chosen = new Set<string>();
  let found = 0;
  if (order === 'newest') {
    for (let i = pages.length - 1; i >= 0 && found < wanted; i -= 1) {
      const page = pages[i] as PageRef;
      if (page.live === 0) continue;
      chosen.add(page.id);
      found += page.live;
    }
    return [...chosen];
  }
  const priorities = [...new Set(pages.flatMap((p) => Object.keys(p.byPriority)))].sort();
  for (const priority of priorities) {
    for (const page of pages) {
      if (found >= wanted) return [...chosen];
      const count = page.byPriority[priority] ?? 0;
      if (count === 0) continue;
      chosen.add(page.id);
      found += count;
    }
  }
  return [...chosen];
}

/**
 * A list's pages as read: the head's page references, the pages loaded so far (shared, never
 * changed in place), and the changes after the head applied to them. Applying a change twice
 * changes nothing: a record is a member at its highest version seen (a later change wins a tie).
 */
export class ListPages {
  readonly loaded = new Map<string, ListedRecord[]>();
  /** Pages the changes went into (their records copied first). */
  readonly touched = new Set<string>();
  /** Departures that say not where they were (a head from before pages), by record: their version. */
  readonly departed = new Map<string, number>();

  constructor(public refs: PageRef[]) {}

  /** The pages the changes fall in; every page where a change does not say where it falls (an old departure). */
  pagesOf(changes: readonly ListedRecord[]): string[] {
    if (this.refs.length === 0) return [];
    if (changes.some((c) => !keyOf(c))) return this.refs.map((p) => p.id);
    return [...new Set(changes.map((c) => (this.refs[locate(this.refs, keyOf(c) as PlaceKey)] as PageRef).id))];
  }

  missing(ids: readonly string[]): string[] {
    return ids.filter((id) => !this.loaded.has(id));
  }

  /** Applies the changes, in order, to the loaded pages (those `pagesOf` names must be loaded). */
  apply(changes: readonly ListedRecord[], now: number): void {
    for (const change of changes) {
      if ((this.departed.get(change.recordId) ?? -1) > change.version) continue;
      const key = keyOf(change) ?? this.placeOf(change.recordId);
      if (!key) continue; // a departure of a record the list does not hold, nor says where it was
      if (this.refs.length === 0) this.refs.push({ id: '', last: key, live: 0, byPriority: {}, at: now });
      const index = locate(this.refs, key);
      const ref = this.refs[index] as PageRef;
      const records = this.writable(ref.id);
      const at = position(records, key);
      const known = records[at];
      const same = known !== undefined && compareKeys(keyOf(known) as PlaceKey, key) === 0;
      if (same && known.version > change.version) continue;
      const item = change.item ?? known?.item;
      const record: ListedRecord = { recordId: change.recordId, version: change.version, ...(item ? { item } : {}), ...(change.gone ? { gone: true } : {}), at: change.at };
      records.splice(at, same ? 1 : 0, record);
      this.refs[index] = describe(ref.id, records, ref.at, ref.last);
    }
  }

  /** The first `wanted` members in `order`, from the loaded pages (pagesFor says which must be). */
  first(order: ListOrder, wanted: number): ListedRecord[] {
    const members = [...this.loaded.values()].flatMap((records) => records.filter((r) => !r.gone));
    members.sort(LIST_ORDERS[order]);
    return Number.isFinite(wanted) ? members.slice(0, wanted) : members;
  }

  get total(): number {
    return this.refs.reduce((sum, page) => sum + page.live, 0);
  }

  private writable(id: string): ListedRecord[] {
    const records = this.loaded.get(id) ?? [];
    if (this.touched.has(id)) return records;
    const copy = [...records];
    this.loaded.set(id, copy);
    this.touched.add(id);
    return copy;
  }

  private placeOf(recordId: string): PlaceKey | undefined {
    for (const records of this.loaded.values()) {
      const found = records.find((r) => r.recordId === recordId);
      if (found) return keyOf(found);
    }
    return undefined;
  }
}

/** Where `key` is, or would go, among records in place order. */
function position(records: readonly ListedRecord[], key: PlaceKey): number {
  let low = 0;
  let high = records.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (compareKeys(keyOf(records[mid] as ListedRecord) as PlaceKey, key) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The pages a fold writes in place of those it changed: departures over an hour old left out, big pages split, small ones joined. */
export interface Reshaped {
  refs: PageRef[];
  /** New pages to store, with their records. */
  written: { ref: PageRef; records: ListedRecord[] }[];
  /** Pages no longer named (stored ones only). */
  replaced: string[];
}

export function reshape(pages: ListPages, now: number, newId: () => string): Reshaped {
  const written: Reshaped['written'] = [];
  const replaced: string[] = [];
  const refs: PageRef[] = [];
  const kept = (records: readonly ListedRecord[]) => records.filter((r) => !r.gone || now - new Date(r.at).getTime() < DEPARTURE_KEPT_MS);
  let pending: ListedRecord[] | undefined; // a small changed page waiting to be joined to the next
  const flush = (records: ListedRecord[]) => {
    for (let i = 0; i < records.length; i += records.length > PAGE_MAX ? PAGE_TARGET : records.length) {
      const chunk = records.slice(i, records.length > PAGE_MAX ? i + PAGE_TARGET : records.length);
      const ref = describe(newId(), chunk, now);
      written.push({ ref, records: chunk });
      refs.push(ref);
    }
  };
  for (const ref of pages.refs) {
    const changed = pages.touched.has(ref.id);
    const loaded = pages.loaded.get(ref.id);
    // A page with no member left, written over an hour ago, holds only departures past keeping.
    const expired = !changed && ref.live === 0 && now - ref.at >= DEPARTURE_KEPT_MS;
    if (ref.id && (changed || expired || (pending && loaded))) replaced.push(ref.id);
    if (expired) continue;
    if (!changed && !(pending && loaded)) {
      if (pending) flush(pending);
      pending = undefined;
      refs.push(ref);
      continue;
    }
    const records = [...(pending ?? []), ...kept(loaded ?? [])];
    pending = undefined;
    if (records.length === 0) continue;
    if (records.length < PAGE_MIN) pending = records;
    else flush(records);
  }
  if (pending) flush(pending);
  return { refs, written, replaced };
}
