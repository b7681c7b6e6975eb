import type { Model, Types, UpdateQuery } from 'mongoose';
import type { AuditEventDoc, RecordKind } from '../models/audit-event.model';
import { appendEvent, chainEvent, GENESIS_HASH, type AuditActor } from './audit-log';

interface AuditedDoc {
  _id: Types.ObjectId;
  number: string;
  version: number;
  auditHead: string;
}

/** The record was changed by someone else since the actor saw it; `current` is how it is now. */
export class RecordConflict<T> extends Error {
  constructor(readonly current: T | null) {
    super('RECORD.CHANGED');
    this.name = 'RecordConflict';
  }
}

export interface AuditedChange<T> {
  kind: RecordKind;
  /** The record as the actor saw it: the change applies only if it is still at this version. */
  seen: T;
  action: string;
  actor: AuditActor;
  at: Date;
  /** Top-level fields, for the audit trail (no dotted keys: FerretDB cannot store them). */
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  update: { $set?: Record<string, unknown>; $push?: Record<string, unknown>; $unset?: Record<string, 1> };
}

/**
 * One atomic conditional update (same version as seen, else RecordConflict) that also moves the
 * record's audit head, followed by the audit event it announces.
 */
export async function applyAuditedChange<T extends AuditedDoc>(
  records: Model<T>,
  events: Model<AuditEventDoc>,
  change: AuditedChange<T>,
): Promise<T> {
  const { seen } = change;
  const seq = seen.version + 1;
  const event = chainEvent(
    {
      recordKind: change.kind,
      recordId: seen._id.toHexString(),
      recordNumber: seen.number,
      action: change.action,
      actor: change.actor,
      at: change.at,
      before: change.before,
      after: change.after,
    },
    seq,
    seen.auditHead,
  );
  const update = {
    ...change.update,
    $set: { ...(change.update.$set ?? {}), auditHead: event.hash, updatedAt: change.at },
    $inc: { version: 1 },
  } as UpdateQuery<T>;
  const updated = await records
    .findOneAndUpdate({ _id: seen._id, version: seen.version } as never, update, { returnDocument: 'after', timestamps: false })
    .lean<T>();
  if (!updated) throw new RecordConflict(await records.findById(seen._id).lean<T>());
  await appendEvent(events, event);
  return updated;
}

/** The first event of a new record: returns the fields the record is inserted with. */
export function firstEvent(kind: RecordKind, id: Types.ObjectId, number: string, actor: AuditActor, at: Date, after: Record<string, unknown>) {
  const event = chainEvent(
    { recordKind: kind, recordId: id.toHexString(), recordNumber: number, action: 'create', actor, at, before: {}, after },
    1,
    GENESIS_HASH,
  );
  return { event, version: 1, auditHead: event.hash };
}
