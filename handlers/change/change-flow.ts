import { DomainError } from '../../src/domain/domain-error';
import { CHANGE_LIFECYCLE, type ChangeAction } from '../../src/domain/change-lifecycle';
import { decide } from '../../src/domain/state-machine';
import { t } from '../../src/i18n/translate';
import type { ChangeDoc } from '../../src/models/change.model';
import type { Actor } from '../../src/people/people-directory';
import { changeAnnouncements } from '../../src/views/change-announcements';
import { changeCard, relationsToChange } from '../../src/views/change-card';
import type { Milestone } from '../../src/views/request-announcements';
import { changeWithRetries, refuseOn, type PlannedRecordChange } from '../approval/record-flow';
import type { HandlerContext, HandlerResult } from '../handler';

export async function loadChange(ctx: HandlerContext, recordId: string): Promise<ChangeDoc> {
  const change = await ctx.changes.findById(recordId);
  if (!change) throw new DomainError('CHANGE.NOT_FOUND', { number: recordId });
  return change;
}

/** A refusal, audited, thrown as the message the person reads. */
export function refuseChange(ctx: HandlerContext, actor: Actor, change: ChangeDoc, action: ChangeAction, code: string, params: Record<string, string | number> = {}, field?: string): Promise<never> {
  const stateName = t(actor.locale, `change.state.${change.state}`);
  return refuseOn(ctx, actor, { kind: 'change', _id: change._id, number: change.number, state: change.state, stateName }, action, code, params, field);
}

/**
 * May the actor take this action on the change now (the lifecycle's rule)? An approval that would
 * schedule it into a freeze, or a start inside one, waits for a change manager's override. Refusals
 * are audited.
 */
export async function authoriseChangeAction(ctx: HandlerContext, actor: Actor, change: ChangeDoc, action: ChangeAction, input?: Record<string, unknown>): Promise<void> {
  // Without input (a form opening), the fields the action requires are not asked for yet.
  const standing = { roles: actor.roles, relations: relationsToChange(change, actor) };
  const decision = decide(CHANGE_LIFECYCLE, action, change.state, standing, input ?? {}, { checkRequiredFields: input !== undefined });
  if (!decision.ok) {
    const field = decision.code === 'TRANSITION.FIELD_REQUIRED' ? decision.field : undefined;
    await refuseChange(ctx, actor, change, action, decision.code, field ? { field } : {}, field);
  }
  // Neither approved nor started (a pre-approved standard change) in a freeze without an override.
  if ((action === 'approve' || action === 'start') && change.freezes.length > 0 && !change.freezeOverride) {
    await refuseChange(ctx, actor, change, action, 'CHANGE.FROZEN', { names: change.freezes.join(', ') });
  }
}

/** A change planned on the change as it is, applied, planned again after a conflict. */
export function changeChange(
  ctx: HandlerContext,
  actor: Actor,
  recordId: string,
  plan: (change: ChangeDoc) => Promise<PlannedRecordChange<ChangeAction> | null>,
): Promise<{ before: ChangeDoc; after: ChangeDoc }> {
  // To someone who may not see it, it does not exist.
  const visible = async (change: ChangeDoc) => (mayViewChange(change, actor) ? plan(change) : refuseOn(ctx, actor, { kind: 'change', _id: change._id, number: change.number, state: change.state, stateName: '' }, 'view', 'CHANGE.NOT_FOUND'));
  return changeWithRetries(ctx, actor, () => loadChange(ctx, recordId), (change) => ctx.changes.change(change), visible, (change) => ctx.changes.relist(change));
}

/** The actor's card of the change as it now is, and everyone's redrawn. */
export async function changeUpdated(ctx: HandlerContext, actor: Actor, change: ChangeDoc, milestone?: Milestone, notice?: string): Promise<HandlerResult> {
  return {
    views: [...(notice ? [{ kind: 'notice' as const, tone: 'success' as const, text: notice }] : []), changeCard(change, actor, ctx.catalog, actor)],
    announcements: await changeAnnouncements(ctx, change, milestone),
  };
}

/** Who may see the change: its requester, its approvers, agents, change managers and admins. */
export function mayViewChange(change: ChangeDoc, actor: Actor): boolean {
  return (
    change.requesterId === actor.id ||
    actor.roles.some((r) => r === 'agent' || r === 'change_manager' || r === 'admin' || r === 'approver') ||
    change.steps.some((s) => s.approvers.some((a) => a.id === actor.id))
  );
}
