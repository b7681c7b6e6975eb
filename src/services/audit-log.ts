import { createHash } from 'node:crypto';
import { Types, type Model } from 'mongoose';
import { retryWhileBusy } from '../db/retry-while-busy';
import type { AuditEventDoc, RecordKind } from '../models/audit-event.model';

export interface AuditActor {
  id: string;
  name: string;
}

export interface AuditEntry {
  recordKind: RecordKind;
  recordId: string;
  recordNumber: string;
  action: string;
  actor: AuditActor;
  at: Date;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/** The chain's start, for a record's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with sorted keys and dates as ISO strings, so the same event always hashes the same. */
function canonical(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    if (value instanceof Types.ObjectId) return JSON.stringify(value.toHexString());
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The stored fields of an event, as they are hashed (less the chain fields). */
function eventFields(entry: AuditEntry, seq: number) {
  return {
    recordKind: entry.recordKind,
    recordId: entry.recordId,
    recordNumber: entry.recordNumber,
    seq,
    action: entry.action,
    actorId: entry.actor.id,
    actorName: entry.actor.name,
    at: entry.at,
    before: entry.before,
    after: entry.after,
  };
}

export function hashEvent(entry: AuditEntry, seq: number, prevHash: string): string {
  return createHash('sha256').update(prevHash).update(canonical(eventFields(entry, seq))).digest('hex');
}

/**
 * The change event `seq` of a record, chained to the record's current head `prevHash`. Inserting it
 * claims the change (see audited-change.ts); the record then takes its hash as `auditHead`.
 */
export function chainEvent(entry: AuditEntry, seq: number, prevHash: string): AuditEventDoc {
  return { _id: `${entry.recordId}:${seq}`, ...eventFields(entry, seq), prevHash, hash: hashEvent(entry, seq, prevHash) };
}

/** Records that someone tried an action they may not take. Outside the record's chain. */
/**
 * Something that happened to a record without changing it (a refusal, a declined page): kept in
 * the audit trail with seq 0, outside the record's hash chain.
 */
export async function recordSideEvent(events: Model<AuditEventDoc>, entry: AuditEntry): Promise<void> {
  const event = {
    _id: `${entry.recordId}:event:${new Types.ObjectId().toHexString()}`,
    ...eventFields(entry, 0),
    prevHash: '',
    hash: '',
  };
  await retryWhileBusy(() => events.create(event));
}

export function recordRefusal(events: Model<AuditEventDoc>, entry: AuditEntry, reason: string): Promise<void> {
  return recordSideEvent(events, { ...entry, action: `${entry.action}.refused`, after: { reason } });
}
