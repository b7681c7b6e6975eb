import { DomainError } from '../../src/domain/domain-error';
import type { RecordKind } from '../../src/models/audit-event.model';
import type { Actor } from '../../src/people/people-directory';
import type { AuditActor } from '../../src/services/audit-log';
import { RecordConflict } from '../../src/services/audited-change';
import type { HandlerContext } from '../handler';

/** Conflicting changes (votes, tasks done at the same moment) are planned again on the record as it now is, this many times. */
const MAX_TRIES = 20;

export interface PlannedRecordChange<Action extends string> {
  action: Action;
  set: Record<string, unknown>;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

interface Changeable {
  _id: string;
  number: string;
  version: number;
  auditHead: string;
}

/**
 * Applies a change planned on the record as it is, as one claimed audited update; when someone
 * changed it meanwhile (another vote, another task), plans again on the record as it now is.
 * `plan` returns null when there is nothing left to do (the change was made by another's update).
 */
export async function changeWithRetries<T extends Changeable, Action extends string>(
  ctx: HandlerContext,
  actor: Actor,
  load: () => Promise<T>,
  apply: (change: { seen: T; action: Action; actor: AuditActor; at: Date; before: Record<string, unknown>; after: Record<string, unknown>; set: Record<string, unknown>; requestKey?: string }) => Promise<T>,
  plan: (record: T) => Promise<PlannedRecordChange<Action> | null>,
  /** Writes the record into its lists and sets its timers again (what a process that died after its change may not have done). */
  relist: (record: T) => Promise<void>,
): Promise<{ before: T; after: T }> {
  for (let attempt = 1; ; attempt++) {
    const record = await load();
    // A replay of a request whose change landed before its process died: the change stands, and is
    // not planned again (it would be refused from the state it led to); what followed it is redone.
    if (attempt === 1 && actor.request?.replayed && (await ctx.audit.changedByRequest(record._id, record.version, actor.request.key))) {
      await relist(record);
      return { before: record, after: record };
    }
    const change = await plan(record);
    if (!change) return { before: record, after: record };
    try {
      const updated = await apply({
        seen: record,
        action: change.action,
        actor: { id: actor.id, name: actor.name },
        at: ctx.now(),
        before: change.before,
        after: change.after,
        set: change.set,
        ...(actor.request ? { requestKey: actor.request.key } : {}),
      });
      return { before: record, after: updated };
    } catch (error) {
      if (!(error instanceof RecordConflict)) throw error;
      if (attempt >= MAX_TRIES) throw new DomainError('RECORD.CHANGED', { number: record.number, actor: error.winner?.actorName ?? '?' });
    }
  }
}

/** A refusal, audited, thrown as the message the person reads (`state`: the record's state in their words). */
export async function refuseOn(
  ctx: HandlerContext,
  actor: Actor,
  record: { kind: RecordKind; _id: string; number: string; state: string; stateName: string },
  action: string,
  code: string,
  params: Record<string, string | number> = {},
  field?: string,
): Promise<never> {
  await ctx.audit.refusal(
    { recordKind: record.kind, recordId: record._id, recordNumber: record.number, action, actor: { id: actor.id, name: actor.name }, at: ctx.now(), before: { state: record.state }, after: {} },
    code,
  );
  throw new DomainError(code, { number: record.number, state: record.stateName, ...params }, field);
}
