import type { Model } from 'mongoose';
import { insertOnce } from '../db/insert-once';
import { isDuplicateKey } from '../db/duplicate-key';
import { retryWhileBusy } from '../db/retry-while-busy';
import { packRecords, unpackRecords, type ListEntryDoc, type ListSnapshotDoc, type ListedRecord } from '../models/record-list.model';

/** Every this many changes, the writer of the change folds the list into its snapshot. */
const FOLD_EVERY = 16;
/** A reader that meets a longer tail folds it itself (the writer due to fold died, or failed). */
const FOLD_TAIL_OVER = 24;
/** Entries are read this many at a time, in parallel, by `_id`. */
const READ_BATCH = 8;
/**
 * How long a departure stays in the snapshot: an entry for an older version written late (a slow
 * writer) must not bring the record back. Far longer than any write takes.
 */
const DEPARTURE_KEPT_MS = 60 * 60_000;
const MEMO_LIMIT = 5_000;
/**
 * A remembered slot is trusted this long: changes are purged a day after they were written, and
 * a slot freed by the purge must never be taken again (it lies below the snapshot, unread).
 */
const MEMO_TRUSTED_MS = 60 * 60_000;

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
      if (await insertOnce(this.models.ListEntry, doc)) {
        if (n % FOLD_EVERY === 0) await this.fold(list);
        return;
      }
      this.remember(list, (await this.end(list, n)) + 1);
    }
  }

  /** The list's members (not in any order), each at its newest version. */
  async members(list: string): Promise<ListedRecord[]> {
    const stored = await this.models.ListSnapshot.findById(list).lean<ListSnapshotDoc>();
    const snapshot = stored ?? this.empty(list);
    const tail = await this.entriesAfter(list, snapshot.upTo);
    const items = foldEntries(unpackRecords(snapshot.records), tail, this.now());
    const last = tail.at(-1)?.n;
    if (last !== undefined && tail.length > FOLD_TAIL_OVER) await this.save(list, last, items);
    // A slot is remembered only where the snapshot exists (a writer's first change stores it).
    if (last !== undefined && stored) this.remember(list, last + 1);
    return items.filter((i) => !i.gone);
  }

  /** Folds the list's changes into its snapshot; returns how many were folded. */
  async fold(list: string): Promise<number> {
    const snapshot = await this.snapshot(list);
    const tail = await this.entriesAfter(list, snapshot.upTo);
    const last = tail.at(-1)?.n;
    if (last === undefined) return 0;
    await this.save(list, last, foldEntries(unpackRecords(snapshot.records), tail, this.now()));
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
  }

  /** The last slot taken, looking from `from` on. */
  private async end(list: string, from?: number): Promise<number> {
    const start = from ?? (await this.snapshot(list, true)).upTo;
    return (await this.entriesAfter(list, start)).at(-1)?.n ?? start;
  }

  /**
   * The entries after slot `n`, in order, read in parallel batches by `_id` until a batch finds
   * none. A free slot before taken ones (its writer failed, or died, after taking it) is passed.
   */
  private async entriesAfter(list: string, n: number): Promise<ListEntryDoc[]> {
    const entries: ListEntryDoc[] = [];
    for (let first = n + 1; ; first += READ_BATCH) {
      const batch = await Promise.all(
        Array.from({ length: READ_BATCH }, (_, i) => this.models.ListEntry.findById(`${list}:${first + i}`).lean<ListEntryDoc>()),
      );
      const found = batch.filter((e): e is ListEntryDoc => e !== null);
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
