import type { ListedRecord } from '../models/record-list.model';

/** Pages read are kept up to this many records in all, per database, the longest unused going first: the first and last pages of the lists read most (a page holds up to 256). */
const KEPT_RECORDS = 10_000;

/**
 * The pages of record lists this process has read or written, by `_id`: a page is never rewritten
 * (a fold writes the pages it changes under new ids), so what was read once need not be read again.
 */
export class ListPageCache {
  private readonly pages = new Map<string, ListedRecord[]>();
  private records = 0;

  get(id: string): ListedRecord[] | undefined {
    const kept = this.pages.get(id);
    if (kept) this.keep(id, kept);
    return kept;
  }

  /** Keeps a page as the most lately used. */
  keep(id: string, records: ListedRecord[]): ListedRecord[] {
    const earlier = this.pages.get(id);
    if (earlier) {
      this.pages.delete(id);
      this.records -= earlier.length;
    }
    this.pages.set(id, records);
    this.records += records.length;
    for (const [oldest, kept] of this.pages) {
      if (this.records <= KEPT_RECORDS) break;
      this.pages.delete(oldest);
      this.records -= kept.length;
    }
    return records;
  }
}

/** One cache per database's models: every list reader of a process shares it, so the bound is the process's. */
const caches = new WeakMap<object, ListPageCache>();

export function listPageCacheFor(models: object): ListPageCache {
  let cache = caches.get(models);
  if (!cache) caches.set(models, (cache = new ListPageCache()));
  return cache;
}
