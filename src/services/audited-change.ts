import { EJSON } from 'bson';
import type { Model } from 'mongoose';
import type { AuditEventDoc, RecordKind } from '../models/audit-event.model';
import { chainEvent, GENESIS_HASH, type AuditActor } from './audit-log';
import { isDuplicateKey } from '../db/duplicate-key';
import { retryWhileBusy } from '../db/retry-while-busy';

interface AuditedDoc {
  _id: string;
  number: string;
  version: number;
  auditHead: string;
}

/** Someone else changed the record since the actor saw it; `winner` is their change, when known. */
export class RecordConflict extends Error {
  constructor(readonly winner: Pick<AuditEventDoc, 'action' | 'actorId' | 'actorName'> | null) {
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
  /** Fields to set. Only `$set`: setting is idempotent, so a change can be rolled forward safely. */
  set: Record<string, unknown>;
  /** The platform request making the change, kept on its audit event (outside the hash chain). */
  requestKey?: string;
}

/**
 * A claimed change whose record update has not landed after this long is rolled forward by whoever
 * meets it. Long, because a writer stalled for longer than this (not dead) would then write an
 * older version over a newer one.
 */
export const ROLL_FORWARD_AFTER_MS = 5 * 60_000;

/**
 * One change to an audited record, in two writes:
 * 1. insert the audit event `<id>:<version+1>` (carrying the hash chain and the update): its unique
 *    key makes this the atomic claim: a second writer who saw the same version fails here;
 * 2. set the fields, the new version and the new audit head on the record.
 * Both MongoDB and FerretDB make a unique-key insert atomic; FerretDB 1.x does not make a
 * conditional update atomic, which is why the claim is not the update itself.
 */
export async function applyAuditedChange<T extends AuditedDoc>(
  records: Model<T>,
  events: Model<AuditEventDoc>,
  change: AuditedChange<T>,
  /** Real time as the processes share it (the database server's clock): when a claim is stale. */
  nowMs: () => number = Date.now,
  /** Told of a record completed on behalf of a writer that died (its follow-ups were never done). */
  rolledForward: (record: T) => Promise<void> = async () => {},
): Promise<T> {
  const { seen } = change;
  const version = seen.version + 1;
  const event = chainEvent(
    {
      recordKind: change.kind,
      recordId: seen._id,
      recordNumber: seen.number,
      action: change.action,
      actor: change.actor,
      at: change.at,
      before: change.before,
      after: change.after,
    },
    version,
    seen.auditHead,
  );
  const set = { ...change.set, version, auditHead: event.hash, updatedAt: change.at };
  try {
    const claim = { ...event, update: EJSON.stringify(set, { relaxed: false }), writtenAt: new Date(nowMs()), ...(change.requestKey ? { requestKey: change.requestKey } : {}) };
    await retryWhileBusy(() => events.collection.insertOne(claim as never));
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    const completed = change.requestKey ? await completeOwnClaim(records, events, seen, change.requestKey) : null;
    if (completed) return completed;
    throw await conflict(records, events, seen, nowMs, rolledForward);
  }
  // By _id alone: the claim already makes this the only writer of this version, and FerretDB's
  // SQLite storage pushes down only a filter that is exactly `{_id}` (docs/storage.md §2).
  await retryWhileBusy(() => records.updateOne({ _id: seen._id } as never, { $set: set }, { timestamps: false }));
  // The claim makes this the only writer of this version: the record is now exactly this.
  return { ...seen, ...set } as T;
}

/**
 * The request replayed after its process died between the claim and the update (the durable way
 * in replays a request only once its process is gone): the claim is this request's own, so it is
 * completed now, whatever its age, and the change goes on as if it had just been made.
 */
async function completeOwnClaim<T extends AuditedDoc>(records: Model<T>, events: Model<AuditEventDoc>, seen: T, requestKey: string): Promise<T | null> {
  const claim = await events.findById(`${seen._id}:${seen.version + 1}`).lean();
  if (claim?.requestKey !== requestKey || !claim.update) return null;
  return rollForward(records, seen._id, seen.version, claim.update);
}

/** The conflict with whoever claimed the next version; their change is completed first if its writer died. */
async function conflict<T extends AuditedDoc>(
  records: Model<T>,
  events: Model<AuditEventDoc>,
  seen: T,
  nowMs: () => number,
  rolledForward: (record: T) => Promise<void>,
): Promise<RecordConflict> {
  const winner = await events.findById(`${seen._id}:${seen.version + 1}`).lean();
  if (winner?.update && isStale(winner, nowMs())) {
    const record = await rollForward(records, seen._id, seen.version, winner.update);
    if (record) await rolledForward(record);
  }
  return new RecordConflict(winner ? { action: winner.action, actorId: winner.actorId, actorName: winner.actorName } : null);
}

const isStale = (event: AuditEventDoc, nowMs: number) => !event.writtenAt || nowMs - event.writtenAt.getTime() > ROLL_FORWARD_AFTER_MS;

/** Completes a claimed change on a record still at the version before it; the record as it now is. */
async function rollForward<T extends AuditedDoc>(records: Model<T>, id: string, fromVersion: number, update: string): Promise<T | null> {
  const current = await records.findById(id).lean<T>();
  if (current?.version !== fromVersion) return null;
  const set = EJSON.parse(update, { relaxed: false }) as Record<string, unknown>;
  await retryWhileBusy(() => records.updateOne({ _id: id } as never, { $set: set }, { timestamps: false }));
  return { ...current, ...set } as T;
}

/**
 * Applies every claimed change whose writer died between its two writes: the record is behind its
 * newest audit event, and the claim is older than ROLL_FORWARD_AFTER_MS. It reads the audit events
 * written since `since` (a scan on FerretDB's SQLite storage, docs/storage.md §2), so it runs with
 * the daily maintenance, as a backstop: a request's own interrupted change is completed when the
 * request is replayed (completeOwnClaim), and any other when the next writer of the record meets it.
 */
export async function rollForwardInterruptedChanges<T extends AuditedDoc>(
  records: Model<T>,
  events: Model<AuditEventDoc>,
  since: Date,
  nowMs: () => number = Date.now,
  rolledForward: (record: T) => Promise<void> = async () => {},
): Promise<number> {
  let repaired = 0;
  const recent = events.find({ seq: { $gt: 1 }, writtenAt: { $gte: since } }).sort({ writtenAt: 1 }).lean().cursor();
  for await (const event of recent) {
    // A fresh claim may belong to a writer that is alive and about to write it (or has, and moved
    // on): rolling it forward now could write an older version over a newer one.
    if (!isStale(event, nowMs())) continue;
    const record = await records.findById(event.recordId).lean<T>();
    if (record && record.version === event.seq - 1 && event.update) {
      const rolled = await rollForward(records, record._id, record.version, event.update);
      if (rolled) await rolledForward(rolled);
      repaired++;
    }
  }
  return repaired;
}

/** The first event of a new record and the fields the record is inserted with. */
export function firstEvent(kind: RecordKind, number: string, actor: AuditActor, at: Date, after: Record<string, unknown>, writtenAt = new Date()) {
  const event = chainEvent(
    { recordKind: kind, recordId: number, recordNumber: number, action: 'create', actor, at, before: {}, after },
    1,
    GENESIS_HASH,
  );
  return { event: { ...event, writtenAt }, version: 1, auditHead: event.hash };
}
