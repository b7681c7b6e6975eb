import type { Model } from 'mongoose';
import { findByIdTogether, findByIdsTogether } from '../db/find-by-ids';
import { insertOnce } from '../db/insert-once';
import { isDuplicateKey } from '../db/duplicate-key';
import { retryWhileBusy } from '../db/retry-while-busy';
import { packRecords, unpackRecords, type ListEntryDoc, type ListSnapshotDoc, type ListedRecord } from '../models/record-list.model';

/** Every this many changes, the writer of the change folds the list into its snapshot. */
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
/** Lists whose reading this process keeps (each at most its open records). */
const READ_LIMIT = 2_000;
/**
 * How long a departure stays in the snapshot: an entry for an older version written late (a slow
 * writer) must not bring the record back. Far longer than any write takes.
 */
const DEPARTURE_KEPT_MS = 60 * 60_000;
const MEMO_LIMIT = 5_000;
/** A list's changes this process wrote and keeps until a fold takes them in (FOLD_EVERY of them, usually). */
const WRITTEN_KEPT = 4 * FOLD_EVERY;
/**
 * A remembered slot is trusted this long: changes are purged a day after they were written, and
 * a slot freed by the purge must never be taken again (it lies below the snapshot, unread).
 */
const MEMO_TRUSTED_MS = 60 * 60_000;

/** What this process has read of a list: its records folded up to slot `upTo`, the snapshot's own `upTo`. */
interface ReadList {
  upTo: number;
  records: ListedRecord[];
  snapshotUpTo: number;
  /** When the snapshot was read: past MEMO_TRUSTED_MS it is read again (changes are purged after a day). */
  readAt: number;
}

export interface RecordListModels {
  ListEntry: Model<ListEntryDoc>;
  ListSnapshot: Model<ListSnapshotDoc>;
}

/**
 * Lists of open records found by `_id`, so that reading one costs its length, not the history:
 * FerretDB's SQLite storage serves only `{_id}` from an index, and reads every document for any
 * other filter (docs/storage.md §2). A list is a snapshot plus the changes after it, each change
 * a document inserted under the next free slot; folding them keeps the snapshot current. A record
 * is a member at its highest version seen, so a change written twice or late does no harm.
 */
export class RecordLists {
  /** The next free slot per list, as this process last saw it: one insert per change, usually. */
  private readonly nextSlot = new Map<string, { n: number; at: number }>();
  /**
   * Changes are never rewritten, so what was folded once need not be read again: a list read again
   * costs the changes after the last one read (two lookups when there are none).
   */
  private readonly read = new Map<string, ReadList>();
  /**
   * The changes this process wrote and no fold it knows of has taken in yet, by list and slot: a
   * change is never rewritten, so folding or reading the list need not look them up again.
   */
  private readonly written = new Map<string, Map<number, ListEntryDoc>>();

  constructor(
    private readonly models: RecordListModels,
    private readonly now: () => Date,
  ) {}

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

  /** The list's members (not in any order), each at its newest version. */
  async members(list: string): Promise<ListedRecord[]> {
    let known = this.read.get(list);
    if (!known || Date.now() - known.readAt > MEMO_TRUSTED_MS) {
      // Read with the other lists asked for at the same time (an App Home's five): one find for all.
      const stored = await findByIdTogether(this.models.ListSnapshot, list);
      const snapshot = stored ?? this.empty(list);
      known = { upTo: snapshot.upTo, records: unpackRecords(snapshot.records), snapshotUpTo: snapshot.upTo, readAt: Date.now() };
      // A slot is remembered only where the snapshot exists (a writer's first change stores it).
      if (!stored) known.readAt = 0;
    }
    const tail = await this.entriesAfter(list, known.upTo);
    const now = this.now();
    const read: ReadList = { ...known, upTo: settledEnd(known.upTo, tail, now), records: foldEntries(known.records, tail, now) };
    if (read.upTo - read.snapshotUpTo > FOLD_TAIL_OVER) read.snapshotUpTo = await this.foldBehind(list, read);
    const last = tail.at(-1)?.n;
    if (last !== undefined && known.readAt > 0) this.remember(list, last + 1);
    this.keep(list, read);
    return read.records.filter((i) => !i.gone);
  }

  /** The snapshot, folded up to what was just read unless another process has folded it since. */
  private async foldBehind(list: string, read: ReadList): Promise<number> {
    const stored = await this.models.ListSnapshot.findById(list).lean<ListSnapshotDoc>();
    if (stored && read.upTo - stored.upTo <= FOLD_TAIL_OVER) return stored.upTo;
    await this.save(list, read.upTo, read.records);
    return read.upTo;
  }

  private keep(list: string, read: ReadList): void {
    const earlier = this.read.get(list);
    // Two reads at once: the one further on is kept.
    if (earlier && earlier.upTo > read.upTo && earlier.readAt >= read.readAt) return;
    this.read.delete(list);
    if (this.read.size >= READ_LIMIT) this.read.delete(this.read.keys().next().value as string);
    this.read.set(list, read);
  }

  /** Folds the list's changes into its snapshot; returns how many were folded. */
  async fold(list: string): Promise<number> {
    const snapshot = await this.snapshot(list);
    const tail = await this.entriesAfter(list, snapshot.upTo);
    const upTo = settledEnd(snapshot.upTo, tail, this.now());
    if (tail.length === 0) return 0;
    await this.save(list, upTo, foldEntries(unpackRecords(snapshot.records), tail, this.now()));
    return tail.length;
  }

  /** Folds every list with changes after its snapshot (before old changes are purged). */
  async foldAll(): Promise<number> {
    let folded = 0;
    const snapshots = this.models.ListSnapshot.find({}, { _id: 1 }).lean<{ _id: string }[]>().cursor();
    for await (const { _id } of snapshots) folded += await this.fold(_id);
    return folded;
  }

  /** The list's snapshot; an empty one when it has none, stored only for a writer (`create`). */
  private async snapshot(list: string, create = false): Promise<ListSnapshotDoc> {
    const found = await this.models.ListSnapshot.findById(list).lean<ListSnapshotDoc>();
    if (found) return found;
    const empty = this.empty(list);
    // A written list's snapshot exists from its first change, so that folding every list finds it.
    if (create) await insertOnce(this.models.ListSnapshot, empty);
    return empty;
  }

  private empty(list: string): ListSnapshotDoc {
    return { _id: list, upTo: 0, records: '[]', foldedAt: this.now() };
  }

  private async save(list: string, upTo: number, items: ListedRecord[]): Promise<void> {
    const doc: ListSnapshotDoc = { _id: list, upTo, records: packRecords(items), foldedAt: this.now() };
    try {
      await retryWhileBusy(() => this.models.ListSnapshot.collection.replaceOne({ _id: list } as never, doc as never, { upsert: true }));
    } catch (error) {
      // Two first folds at once: the other one's snapshot is as good.
      if (!isDuplicateKey(error)) throw error;
    }
    this.forgetWritten(list, upTo);
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
    const start = from ?? (await this.snapshot(list, true)).upTo;
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

/** Each record at its highest version (a later entry wins a tie); old departures are dropped. */
export function foldEntries(items: readonly ListedRecord[], tail: readonly ListedRecord[], now: Date): ListedRecord[] {
  const byRecord = new Map<string, ListedRecord>();
  for (const entry of [...items, ...tail]) {
    const known = byRecord.get(entry.recordId);
    if (known && known.version > entry.version) continue;
    byRecord.set(entry.recordId, {
      recordId: entry.recordId,
      version: entry.version,
      ...(entry.gone ? { gone: true } : { item: entry.item ?? {} }),
      at: entry.at,
    });
  }
  return [...byRecord.values()].filter((e) => !e.gone || now.getTime() - new Date(e.at).getTime() < DEPARTURE_KEPT_MS);
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
