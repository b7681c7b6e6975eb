import { randomBytes } from 'node:crypto';
import type { Model } from 'mongoose';
import { findByIdTogether, findByIdsTogether } from '../db/find-by-ids';
import { insertOnce } from '../db/insert-once';
import { isDuplicateKey } from '../db/duplicate-key';
import { retryWhileBusy } from '../db/retry-while-busy';
import { packPage, unpackPage, unpackRecords, type ListEntryDoc, type ListPageDoc, type ListSnapshotDoc, type ListedRecord } from '../models/record-list.model';
import { listPageCacheFor, type ListPageCache } from './list-page-cache';
import { OneAtATime } from './one-at-a-time';
import { compareKeys, DEPARTURE_KEPT_MS, describe, keyOf, ListPages, PAGE_MIN, pagesFor, reshape, type ListOrder, type PageRef, type PlaceKey, type Reshaped } from './list-pages';

/** Every this many changes, the writer of the change folds the list into its pages. */
const FOLD_EVERY = 16;
/** A reader that meets a longer tail folds it itself (the writer due to fold died, or failed). */
const FOLD_TAIL_OVER = 24;
/** Entries are read by `_id` in batches growing to this size (a quiet list costs one read, a batch of two). */
const READ_BATCH = 8;
/**
 * A free slot before a taken one is only passed (its writer took it and failed, or died) once the
 * change after it is this old: until then its writer may still be inserting it, and the slot is
 * read again rather than folded over.
 */
const HOLE_SETTLED_MS = 60_000;
/**
 * A page a fold replaced is removed by a fold this long after: far longer than a fold, or a read
 * between its head and its pages, takes (a read that misses a page reads the head again).
 */
const RETIRED_KEPT_MS = 5 * 60_000;
/** Tries of a read whose head named a page removed meanwhile. */
const READ_TRIES = 3;
const MEMO_LIMIT = 5_000;
/** A list's changes this process wrote and keeps until a fold takes them in (FOLD_EVERY of them, usually). */
const WRITTEN_KEPT = 4 * FOLD_EVERY;
/**
 * A remembered slot is trusted this long: changes are purged a day after they were written, and
 * a slot freed by the purge must never be taken again (it lies below the head, unread).
 */
const MEMO_TRUSTED_MS = 60 * 60_000;

/** Each process's folds, one at a time per list, shared by its list readers (by their models). */
const foldsOf = new WeakMap<object, OneAtATime>();

/** A page replaced by a fold, and when (ms). */
type Retired = [string, number];

/** A list's head as read: the slot it is folded up to, its pages, and the pages it replaced lately. */
interface Head {
  upTo: number;
  pages: ListPages;
  retired: Retired[];
  /** What the head was as stored (none: no head yet): a fold writes its own only over this one. */
  stored: string;
}

/** A stored head, as a fold compares it before writing its own. */
const asStored = (doc: ListSnapshotDoc | null): string => (doc ? JSON.stringify([doc.upTo, doc.pages ?? null, doc.records ?? null, new Date(doc.foldedAt).getTime()]) : '');

export interface RecordListModels {
  ListEntry: Model<ListEntryDoc>;
  ListSnapshot: Model<ListSnapshotDoc>;
  ListPage: Model<ListPageDoc>;
}

/**
 * Lists of open records found by `_id`, so that reading one costs the page asked for, not the
 * history nor the list: FerretDB's SQLite storage serves only `{_id}` from an index, and reads
 * every document for any other filter (docs/storage.md §2). A list is a head naming its pages,
 * plus the changes after it, each change a document inserted under the next free slot; folding
 * them writes the pages they fall in anew (list-pages.ts). A record is a member at its highest
 * version seen, so a change written twice or late does no harm.
 */
export class RecordLists {
  /** The next free slot per list, as this process last saw it: one insert per change, usually. */
  private readonly nextSlot = new Map<string, { n: number; at: number }>();
  /** Pages read or written, shared by the process's list readers. */
  private readonly pages: ListPageCache;
  /** Folds of one list run one at a time in this process: two at once would race, and one's pages be work lost. */
  private readonly folds: OneAtATime;
  /**
   * The changes this process wrote and no fold it knows of has taken in yet, by list and slot: a
   * change is never rewritten, so folding or reading the list need not look them up again.
   */
  private readonly written = new Map<string, Map<number, ListEntryDoc>>();

  constructor(
    private readonly models: RecordListModels,
    private readonly now: () => Date,
  ) {
    this.pages = listPageCacheFor(models);
    let folds = foldsOf.get(models);
    if (!folds) foldsOf.set(models, (folds = new OneAtATime()));
    this.folds = folds;
  }

  /** Records that `recordId` at `version` is in the list (`item`), or has left it (`gone`). */
  async write(list: string, entry: Omit<ListedRecord, 'at'>): Promise<void> {
    for (;;) {
      // This process hands its concurrent writers consecutive slots; another process's writer may
      // have taken one already, and then the end is looked for again.
      const n = this.take(list);
      if (n === undefined) {
        this.remember(list, (await this.end(list)) + 1);
        continue;
      }
      const doc: ListEntryDoc = { _id: `${list}:${n}`, list, n, ...entry, at: this.now() };
      const inserted = await insertOnce(this.models.ListEntry, doc).catch((error: unknown) => {
        this.nextSlot.delete(list);
        throw error;
      });
      if (inserted) {
        this.keepWritten(doc);
        if (n % FOLD_EVERY === 0) await this.fold(list);
        return;
      }
      this.remember(list, (await this.end(list, n)) + 1);
    }
  }

  /** The list's members (not in any order), each at its newest version: every page read. */
  async members(list: string): Promise<ListedRecord[]> {
    return (await this.first(list, 'newest', Infinity)).records;
  }

  /**
   * The first `wanted` members in `order`, and how many the list holds: the head, the changes after
   * it, and the pages those fall in and the first members are in, read by `_id` (pages already read
   * are kept: they never change). A page named by the head but gone (replaced by a fold long since)
   * means the head read is stale: it is read again.
   */
  async first(list: string, order: ListOrder, wanted: number): Promise<{ records: ListedRecord[]; total: number }> {
    for (let tries = 1; ; tries += 1) {
      // Read with the other lists asked for at the same time (an App Home's five): one find for all.
      const stored = await findByIdTogether(this.models.ListSnapshot, list);
      const head = this.headOf(list, stored);
      const tail = await this.entriesAfter(list, head.upTo);
      const now = this.now();
      let complete = await this.load(list, head.pages, head.pages.pagesOf(tail));
      if (complete) head.pages.apply(tail, now.getTime());
      for (let need = this.neededFor(head.pages, order, wanted); complete && need.length > 0; need = this.neededFor(head.pages, order, wanted)) {
        complete = await this.load(list, head.pages, need);
      }
      if (!complete) {
        if (tries < READ_TRIES) continue;
        throw new Error(`The list ${list} names a page that is not stored.`);
      }
      // The writer due to fold died, or failed: the reader folds (and answers all the same should that fail).
      if (settledEnd(head.upTo, tail, now) - head.upTo > FOLD_TAIL_OVER) await this.fold(list).catch(() => 0);
      const last = tail.at(-1)?.n;
      // A slot is remembered only where the head exists (a writer's first change stores it).
      if (last !== undefined && stored) this.remember(list, last + 1);
      return { records: head.pages.first(order, wanted), total: head.pages.total };
    }
  }

  private neededFor(pages: ListPages, order: ListOrder, wanted: number): string[] {
    return pages.missing(pagesFor(pages.refs, order, wanted));
  }

  /**
   * Folds the list's changes into its pages: the pages they fall in are written anew (split when
   * big, joined to the next when small), then the head naming them. Returns how many changes were folded.
   */
  fold(list: string): Promise<number> {
    return this.folds.run(list, () => this.foldNow(list));
  }

  private async foldNow(list: string): Promise<number> {
    const head = this.headOf(list, await this.models.ListSnapshot.findById(list).lean<ListSnapshotDoc>());
    const tail = await this.entriesAfter(list, head.upTo);
    const now = this.now();
    const pages = head.pages;
    const expired = pages.refs.some((r) => r.live === 0 && now.getTime() - r.at >= DEPARTURE_KEPT_MS);
    if (tail.length === 0 && !expired && pages.touched.size === 0) return 0;
    // A page gone already: another fold has replaced this head meanwhile, and done the work.
    if (!(await this.load(list, pages, pages.pagesOf(tail)))) return 0;
    pages.apply(tail, now.getTime());
    const joined = pages.refs.flatMap((ref, i) => {
      const next = pages.refs[i + 1];
      return pages.touched.has(ref.id) && (pages.loaded.get(ref.id)?.length ?? 0) < PAGE_MIN && next ? [next.id] : [];
    });
    if (!(await this.load(list, pages, pages.missing(joined)))) return 0;
    const reshaped = reshape(pages, now.getTime(), () => PAGE_ID(list, randomBytes(6).toString('base64url')));
    if (reshaped.written.length > 0) {
      const docs: ListPageDoc[] = reshaped.written.map(({ ref, records }) => ({ _id: ref.id, list, records: packPage(records), at: now }));
      await retryWhileBusy(() => this.models.ListPage.collection.insertMany(docs as never[], { ordered: false }));
      for (const { ref, records } of reshaped.written) this.pages.keep(ref.id, records);
    }
    const upTo = settledEnd(head.upTo, tail, now);
    return (await this.save(list, head, upTo, reshaped)) ? tail.length : 0;
  }

  /** Folds every list with changes after its head (before old changes are purged). */
  async foldAll(): Promise<number> {
    let folded = 0;
    const heads = this.models.ListSnapshot.find({}, { _id: 1 }).lean<{ _id: string }[]>().cursor();
    for await (const { _id } of heads) folded += await this.fold(_id);
    return folded;
  }

  /**
   * Removes the pages written before `before` that their list's head neither names nor lists as
   * replaced: those of a fold that lost a race to another's. A replaced page is left to the fold
   * that removes it once no fold working from an earlier head can still name it (see save).
   */
  async removeUnnamedPages(before: Date): Promise<number> {
    const byList = new Map<string, string[]>();
    for await (const page of this.models.ListPage.find({ at: { $lt: before } }, { list: 1 }).lean<{ _id: string; list: string }[]>().cursor()) {
      const ids = byList.get(page.list) ?? [];
      ids.push(page._id);
      byList.set(page.list, ids);
    }
    let removed = 0;
    for (const [list, ids] of byList) {
      const head = this.headOf(list, await this.models.ListSnapshot.findById(list).lean<ListSnapshotDoc>());
      const kept = new Set([...head.pages.refs.map((r) => r.id), ...head.retired.map(([id]) => id)]);
      const unnamed = ids.filter((id) => !kept.has(id));
      if (unnamed.length > 0) removed += (await retryWhileBusy(() => this.models.ListPage.deleteMany({ _id: { $in: unnamed } }))).deletedCount;
    }
    return removed;
  }

  /** The list's head as stored (none yet: an empty list); a head from before pages is one page, to be written as pages. */
  private headOf(list: string, stored: ListSnapshotDoc | null): Head {
    if (!stored) return { upTo: 0, pages: new ListPages([]), retired: [], stored: '' };
    if (stored.pages !== undefined) {
      return { upTo: stored.upTo, pages: new ListPages(unpackPageRefs(list, stored.pages)), retired: unpackRetired(list, stored.retired), stored: asStored(stored) };
    }
    const all = unpackRecords(stored.records);
    const records = all.filter((r) => !r.gone).sort((a, b) => compareKeys(keyOf(a) as PlaceKey, keyOf(b) as PlaceKey));
    const pages = new ListPages([]);
    // Its departures say no more where they were: kept aside, so that a late change of an older version is still refused.
    for (const departed of all) if (departed.gone) pages.departed.set(departed.recordId, departed.version);
    if (records.length > 0) {
      const id = `${list}${BEFORE_PAGES}`;
      pages.refs.push(describe(id, records, new Date(stored.foldedAt).getTime()));
      pages.loaded.set(id, records);
      pages.touched.add(id);
    }
    return { upTo: stored.upTo, pages, retired: [], stored: asStored(stored) };
  }

  /** Loads these pages into `pages`, from those kept or in one find; false if one is not stored. */
  private async load(list: string, pages: ListPages, ids: readonly string[]): Promise<boolean> {
    const unread: string[] = [];
    for (const id of pages.missing(ids)) {
      const kept = this.pages.get(id);
      if (kept) pages.loaded.set(id, kept);
      else if (id) unread.push(id);
    }
    if (unread.length === 0) return true;
    const found = await findByIdsTogether(this.models.ListPage, unread);
    let complete = true;
    found.forEach((doc) => {
      if (!doc || doc.list !== list) complete = false;
      else pages.loaded.set(doc._id, this.pages.keep(doc._id, unpackPage(doc.records)));
    });
    return complete;
  }

  /**
   * Writes the fold's head, unless another fold has written one since this fold read its own (the
   * pages this one wrote are then removed: no head names them). Then removes the pages replaced
   * RETIRED_KEPT_MS ago: no fold still working from a head that named them can write its own now.
   */
  private async save(list: string, head: Head, upTo: number, reshaped: Reshaped): Promise<boolean> {
    const at = Date.now();
    const now = await this.models.ListSnapshot.findById(list).lean<ListSnapshotDoc>();
    if (asStored(now) !== head.stored) {
      const mine = reshaped.written.map((w) => w.ref.id);
      if (mine.length > 0) await retryWhileBusy(() => this.models.ListPage.deleteMany({ _id: { $in: mine } }));
      return false;
    }
    const named = new Set(reshaped.refs.map((r) => r.id));
    const all = [...head.retired, ...reshaped.replaced.filter((id) => !id.endsWith(BEFORE_PAGES)).map((id): Retired => [id, at])].filter(([id]) => !named.has(id));
    const due = all.filter(([, when]) => at - when >= RETIRED_KEPT_MS).map(([id]) => id);
    const doc: ListSnapshotDoc = {
      _id: list,
      upTo,
      pages: packPageRefs(list, reshaped.refs),
      retired: packRetired(list, all.filter(([, when]) => at - when < RETIRED_KEPT_MS)),
      foldedAt: this.now(),
    };
    try {
      await retryWhileBusy(() => this.models.ListSnapshot.collection.replaceOne({ _id: list } as never, doc as never, { upsert: true }));
    } catch (error) {
      // Two first folds at once: the other one's head is as good.
      if (!isDuplicateKey(error)) throw error;
    }
    if (due.length > 0) await retryWhileBusy(() => this.models.ListPage.deleteMany({ _id: { $in: due } }));
    this.forgetWritten(list, upTo);
    return true;
  }

  /** The list's head (upTo only); an empty one when it has none, stored for a writer (`create`). */
  private async headUpTo(list: string, create = false): Promise<number> {
    const found = await this.models.ListSnapshot.findById(list, { upTo: 1 }).lean<{ upTo: number }>();
    if (found) return found.upTo;
    // A written list's head exists from its first change, so that folding every list finds it.
    if (create) await insertOnce(this.models.ListSnapshot, { _id: list, upTo: 0, pages: '[]', foldedAt: this.now() });
    return 0;
  }

  private keepWritten(entry: ListEntryDoc): void {
    let mine = this.written.get(entry.list);
    if (!mine) {
      if (this.written.size >= MEMO_LIMIT) this.written.clear(); // read from the database instead
      mine = new Map();
      this.written.set(entry.list, mine);
    }
    if (mine.size >= WRITTEN_KEPT) mine.delete(Math.min(...mine.keys()));
    mine.set(entry.n, entry);
  }

  private forgetWritten(list: string, upTo: number): void {
    const mine = this.written.get(list);
    if (!mine) return;
    for (const n of mine.keys()) if (n <= upTo) mine.delete(n);
    if (mine.size === 0) this.written.delete(list);
  }

  /** The last slot taken, looking from `from` on. */
  private async end(list: string, from?: number): Promise<number> {
    const start = from ?? (await this.headUpTo(list, true));
    return (await this.entriesAfter(list, start)).at(-1)?.n ?? start;
  }

  /**
   * The entries after slot `n`, in order, read by `_id` in batches (2, 4, then 8 at a time) until
   * a batch finds none. A free slot before taken ones (its writer failed, or died, after
   * taking it, or is inserting it now) is passed here; see settledEnd. A writer whose insert fails
   * forgets the slots it was handing out, so its process's next change fills the free one.
   */
  private async entriesAfter(list: string, n: number): Promise<ListEntryDoc[]> {
    // Up to the last change this process wrote, only the others' slots are read, all at once; the
    // probing for the end starts after it.
    const mine = this.written.get(list);
    const lastMine = mine ? Math.max(n, ...mine.keys()) : n;
    const slots = async (first: number, count: number): Promise<ListEntryDoc[]> => {
      // What this process wrote is taken as it is now, before the read (a fold may forget it meanwhile).
      const held = Array.from({ length: count }, (_, i) => ({ k: first + i, entry: mine?.get(first + i) }));
      const unheld = held.filter((h) => !h.entry);
      const read = await findByIdsTogether(this.models.ListEntry, unheld.map((h) => `${list}:${h.k}`));
      unheld.forEach((h, i) => (h.entry = read[i] ?? undefined));
      return held.flatMap((h) => (h.entry ? [h.entry] : []));
    };
    const entries = await slots(n + 1, lastMine - n);
    for (let first = lastMine + 1, size = 2; ; first += size, size = Math.min(READ_BATCH, size * 2)) {
      const found = await slots(first, size);
      if (found.length === 0) return entries;
      entries.push(...found);
    }
  }

  /** The next slot this process hands out for the list, if it knows one it may trust. */
  private take(list: string): number | undefined {
    const memo = this.nextSlot.get(list);
    const n = this.remembered(list);
    if (memo && n !== undefined) memo.n = n + 1;
    return n;
  }

  private remembered(list: string): number | undefined {
    const memo = this.nextSlot.get(list);
    return memo && Date.now() - memo.at < MEMO_TRUSTED_MS ? memo.n : undefined;
  }

  private remember(list: string, next: number): void {
    if (this.nextSlot.size >= MEMO_LIMIT) this.nextSlot.clear();
    if ((this.remembered(list) ?? 0) < next) this.nextSlot.set(list, { n: next, at: Date.now() });
  }
}

/**
 * The slot up to which `tail` (the entries after `from`, in order) may be taken as final: up to
 * the first free slot whose next change is younger than HOLE_SETTLED_MS (its writer may still be
 * inserting it). The entries past it are folded all the same, and read again next time: folding a
 * change twice changes nothing.
 */
export function settledEnd(from: number, tail: readonly ListEntryDoc[], now: Date): number {
  let end = from;
  for (const entry of tail) {
    if (entry.n !== end + 1 && now.getTime() - new Date(entry.at).getTime() < HOLE_SETTLED_MS) return end;
    end = entry.n;
  }
  return end;
}

const PAGE_ID = (list: string, token: string) => `${list}#${token}`;
/** The one page a head from before pages is read as (never stored). */
const BEFORE_PAGES = '#before-pages';
const tokenOf = (list: string, id: string) => id.slice(list.length + 1);

/** A head's pages as JSON text: `[token, last opened (ms), last number, members, members by priority, written (ms)]`. */
function packPageRefs(list: string, refs: readonly PageRef[]): string {
  return JSON.stringify(refs.map((r) => [tokenOf(list, r.id), r.last[0], r.last[1], r.live, r.byPriority, r.at]));
}

function unpackPageRefs(list: string, text: string): PageRef[] {
  return (JSON.parse(text) as [string, number, string, number, Record<string, number>, number][]).map(([token, lastAt, lastId, live, byPriority, at]) => ({
    id: PAGE_ID(list, token),
    last: [lastAt, lastId],
    live,
    byPriority,
    at,
  }));
}

const packRetired = (list: string, retired: readonly Retired[]): string => JSON.stringify(retired.map(([id, at]) => [tokenOf(list, id), at]));

const unpackRetired = (list: string, text: string | undefined): Retired[] =>
  text ? (JSON.parse(text) as [string, number][]).map(([token, at]): Retired => [PAGE_ID(list, token), at]) : [];
