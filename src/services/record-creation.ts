import { setTimeout as sleep } from 'node:timers/promises';
import type { Model } from 'mongoose';
import type { RecordKind } from '../models/audit-event.model';
import type { Models } from '../models/models';
import { isDuplicateKey } from '../db/duplicate-key';
import { retryWhileBusy } from '../db/retry-while-busy';
import type { AuditActor } from './audit-log';
import { firstEvent } from './audited-change';
import { claimNextNumber, type Series } from './number-series';
import { claimKey, releaseAbandonedKey } from './record-keys';

/** How long a duplicate submission waits for the first one to finish creating its record. */
const DUPLICATE_WAIT_MS = 5_000;
/** A dedupe claim with no record after this long belongs to a process that died mid-create. */
const ABANDONED_CLAIM_MS = 30_000;

export interface NewRecord<T> {
  records: Model<T>;
  /** The audit events (the number's claim), the counters and the dedupe keys. */
  models: Pick<Models, 'AuditEvent' | 'Counter' | 'RecordKey'>;
  kind: RecordKind;
  series: Series;
  /** What the first audit event says of the record. */
  summary: Record<string, unknown>;
  /** A retry with the same key finds the record the first try created (none: nothing can retry). */
  dedupeKey?: string;
  actor: AuditActor;
  at: Date;
  /** Real time as the processes share it, for when the claim was written. */
  nowMs: () => number;
  /** The record under its claimed number, with its first version and audit head. */
  build(number: string, version: number, auditHead: string): T;
  findById(number: string): Promise<T | null>;
}

/**
 * Creates an audited record, or returns the one an earlier try with the same dedupe key created:
 * 1. the first audit event `<number>:1`, whose insert claims the number;
 * 2. the dedupe key, when given;
 * 3. the record itself.
 */
export async function createRecord<T extends { _id: string }>(spec: NewRecord<T>): Promise<{ record: T; created: boolean }> {
  let first: ReturnType<typeof firstEvent> | undefined;
  const number = await claimNextNumber(spec.models.Counter, spec.series, async (candidate) => {
    first = firstEvent(spec.kind, candidate, spec.actor, spec.at, spec.summary, new Date(spec.nowMs()));
    try {
      const event = first.event;
      await retryWhileBusy(() => spec.models.AuditEvent.collection.insertOne(event as never));
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  });
  const { event, version, auditHead } = first as NonNullable<typeof first>;

  const dedupe = `dedupe:${spec.dedupeKey}`;
  while (spec.dedupeKey !== undefined && !(await claimKey(spec.models.RecordKey, dedupe, number))) {
    const existing = await waitForDuplicate(spec, dedupe, number);
    if (existing) {
      // The number was never shown to anyone: let it go.
      await retryWhileBusy(() => spec.models.AuditEvent.deleteOne({ _id: event._id }));
      return { record: existing, created: false };
    }
  }
  const record = spec.build(number, version, auditHead);
  await retryWhileBusy(() => spec.records.collection.insertOne(record as never));
  return { record, created: true };
}

/** The record holding a dedupe claim, once it exists; null when the claim is gone, or abandoned and let go by this caller: claim again. */
async function waitForDuplicate<T>(spec: NewRecord<T>, dedupe: string, number: string): Promise<T | null> {
  const deadline = Date.now() + DUPLICATE_WAIT_MS;
  for (;;) {
    const claim = await spec.models.RecordKey.findById(dedupe).lean();
    if (!claim) return null; // released meanwhile: claim again
    const record = await spec.findById(claim.recordId);
    if (record) return record;
    // Of several finding it abandoned, one lets it go; the others wait for the record it creates.
    if (Date.now() - claim.at.getTime() > ABANDONED_CLAIM_MS && (await releaseAbandonedKey(spec.models.RecordKey, dedupe, claim.recordId, number))) return null;
    if (Date.now() > deadline) throw new Error(`the submission ${dedupe} is still being created by another request`);
    await sleep(50);
  }
}
