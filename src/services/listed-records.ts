import type { Model } from 'mongoose';
import type { RecordKind } from '../models/audit-event.model';
import type { Models } from '../models/models';
import type { AuditActor } from './audit-log';
import { applyAuditedChange, type AuditedChange } from './audited-change';
import type { Series } from './number-series';
import { OpenRecordLists } from './open-record-lists';
import { createRecord } from './record-creation';
import { RecordLists } from './record-lists';
import { findByIds } from '../db/find-by-ids';

interface ListedRecord {
  _id: string;
  number: string;
  version: number;
  auditHead: string;
  dedupeKey: string;
  createdAt: Date;
  updatedAt: Date;
}

export type NewRecordOf<T> = Omit<T, '_id' | 'number' | 'version' | 'auditHead' | 'createdAt' | 'updatedAt'>;

/**
 * Records created under a claimed number, changed only by the audited, claimed update, and kept in
 * the record lists `listsOf` names (so each list costs its length, not the history): what service
 * requests and changes have in common.
 */
export abstract class ListedRecords<T extends ListedRecord, Action extends string> {
  protected readonly lists: OpenRecordLists<T>;

  protected constructor(
    protected readonly models: Models,
    private readonly spec: { records: Model<T>; kind: RecordKind; series: Series; listsOf: (record: T) => string[] },
    protected readonly nowMs: () => number,
    /** Told after a record is created or changed (its timers are set this way). */
    private readonly observe: (record: T, before?: T) => Promise<void> = async () => {},
  ) {
    this.lists = new OpenRecordLists(new RecordLists(models, () => new Date(this.nowMs())), (numbers) => findByIds(spec.records, numbers), spec.listsOf);
  }

  /** Creates the record, or returns the one an earlier try with the same dedupe key created (`idempotent`). */
  protected async createRecord(draft: NewRecordOf<T>, summary: Record<string, unknown>, actor: AuditActor, at: Date, idempotent: boolean): Promise<{ record: T; created: boolean }> {
    const { record, created } = await createRecord<T>({
      records: this.spec.records,
      models: this.models,
      kind: this.spec.kind,
      series: this.spec.series,
      summary,
      ...(idempotent ? { dedupeKey: draft.dedupeKey } : {}),
      actor,
      at,
      nowMs: this.nowMs,
      build: (number, version, auditHead) => ({ ...draft, _id: number, number, version, auditHead, createdAt: at, updatedAt: at }) as T,
      findById: (number) => this.findById(number),
    });
    // A retry's first try may have died before listing it; listing twice changes nothing.
    await this.lists.place(record);
    if (created) await this.observe(record);
    return { record, created };
  }

  async change(change: Omit<AuditedChange<T>, 'kind'> & { action: Action }): Promise<T> {
    const updated = await applyAuditedChange(this.spec.records, this.models.AuditEvent, { ...change, kind: this.spec.kind }, this.nowMs, (rolled) => this.lists.place(rolled));
    await this.lists.place(updated, change.seen);
    await this.observe(updated, change.seen);
    return updated;
  }

  /**
   * Writes the record into the lists it is in now and sets its timers again: for a replayed request
   * whose change landed before its process died (setting a timer twice is harmless: its job re-reads).
   */
  async relist(record: T): Promise<void> {
    await this.lists.place(record);
    await this.observe(record);
  }

  /** By number (the record's key), as typed: `req0001001` finds REQ0001001. */
  findById(number: string): Promise<T | null> {
    return this.spec.records.findById(number.trim().toUpperCase()).lean<T>().exec() as Promise<T | null>;
  }
}
