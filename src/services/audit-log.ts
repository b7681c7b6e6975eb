import { createHash } from 'node:crypto';
import { Types, type Model } from 'mongoose';
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

export function hashEvent(entry: AuditEntry, seq: number, prevHash: string): string {
  const body = {
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
  return createHash('sha256').update(prevHash).update(canonical(body)).digest('hex');
}

/**
 * An audited change in two steps: `chain` computes the event's hash from the record's current
 * head (the caller stores it as the record's new `auditHead` in the same atomic update), and
 * `append` writes the event once that update has won.
 */
export function chainEvent(entry: AuditEntry, seq: number, prevHash: string): AuditEventDoc {
  const hash = hashEvent(entry, seq, prevHash);
  return {
    _id: `${entry.recordId}:${seq}`,
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
    prevHash,
    hash,
  };
}

/** Records that someone tried an action they may not take. Outside the record's chain. */
export async function recordRefusal(events: Model<AuditEventDoc>, entry: AuditEntry, reason: string): Promise<void> {
  await events.create({
    _id: `${entry.recordId}:refused:${new Types.ObjectId().toHexString()}`,
    recordKind: entry.recordKind,
    recordId: entry.recordId,
    recordNumber: entry.recordNumber,
    seq: 0,
    action: `${entry.action}.refused`,
    actorId: entry.actor.id,
    actorName: entry.actor.name,
    at: entry.at,
    before: entry.before,
    after: { reason },
    prevHash: '',
    hash: '',
  });
}
