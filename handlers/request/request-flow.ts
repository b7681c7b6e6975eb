import { DomainError } from '../../src/domain/domain-error';
import { REQUEST_LIFECYCLE, type RequestAction } from '../../src/domain/service-request-lifecycle';
import { decide, type Relation } from '../../src/domain/state-machine';
import { t } from '../../src/i18n/translate';
import type { FulfilmentTaskDoc, ServiceRequestDoc } from '../../src/models/service-request.model';
import type { Actor } from '../../src/people/people-directory';
import { RecordConflict } from '../../src/services/audited-change';
import { requestCard } from '../../src/views/request-card';
import { requestAnnouncements, type Milestone } from '../../src/views/request-announcements';
import type { HandlerContext, HandlerResult } from '../handler';

/** Conflicting changes (votes, tasks done at the same moment) are tried again on the request as it now is, this many times. */
const MAX_TRIES = 20;

export async function loadRequest(ctx: HandlerContext, recordId: string): Promise<ServiceRequestDoc> {
  const request = await ctx.requests.findById(recordId);
  if (!request) throw new DomainError('REQUEST.NOT_FOUND', { number: recordId });
  return request;
}

/** How the actor stands to the request: its requester, an approver of its current step, a member of a group with an open task. */
export function relationsToRequest(request: ServiceRequestDoc, actor: Pick<Actor, 'id' | 'groups'>): Relation[] {
  const relations: Relation[] = [];
  if (request.requesterId === actor.id) relations.push('requester');
  const step = request.steps[request.currentStep];
  if (request.state === 'awaiting_approval' && step?.approvers.some((a) => a.id === actor.id)) relations.push('approver');
  if (request.tasks.some((task) => task.state === 'open' && actor.groups.includes(task.group))) relations.push('fulfiller');
  return relations;
}

/** Who may see the request: its requester, its approvers, its fulfilment groups, agents and admins. */
export function mayViewRequest(request: ServiceRequestDoc, actor: Actor): boolean {
  return (
    request.requesterId === actor.id ||
    actor.roles.includes('agent') ||
    actor.roles.includes('admin') ||
    request.steps.some((s) => s.approvers.some((a) => a.id === actor.id || a.onBehalfOf?.id === actor.id)) ||
    request.tasks.some((task) => actor.groups.includes(task.group))
  );
}

/** A refusal, audited, thrown as the message the person reads. */
export async function refuse(
  ctx: HandlerContext,
  actor: Actor,
  request: ServiceRequestDoc,
  action: RequestAction,
  code: string,
  params: Record<string, string | number> = {},
  field?: string,
): Promise<never> {
  await ctx.audit.refusal(
    { recordKind: 'request', recordId: request._id, recordNumber: request.number, action, actor: { id: actor.id, name: actor.name }, at: ctx.now(), before: { state: request.state }, after: {} },
    code,
  );
  throw new DomainError(code, { number: request.number, state: t(actor.locale, `request.state.${request.state}`), ...params }, field);
}

/** May the actor take this action on the request now (the lifecycle's rule)? Refusals are audited. */
export async function authoriseRequestAction(ctx: HandlerContext, actor: Actor, request: ServiceRequestDoc, action: RequestAction, input: Record<string, unknown> = {}): Promise<void> {
  const decision = decide(REQUEST_LIFECYCLE, action, request.state, { roles: actor.roles, relations: relationsToRequest(request, actor) }, input);
  if (decision.ok) return;
  const field = decision.code === 'TRANSITION.FIELD_REQUIRED' ? decision.field : undefined;
  await refuse(ctx, actor, request, action, decision.code, field ? { field } : {}, field);
}

export interface RequestChange {
  action: RequestAction;
  set: Record<string, unknown>;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/**
 * Applies a change planned on the request as it is, as one claimed audited update; when someone
 * changed it meanwhile (another vote, another task), plans again on the request as it now is.
 * `plan` returns null when there is nothing left to do (the change was made by another's update).
 */
export async function changeRequest(
  ctx: HandlerContext,
  actor: Actor,
  recordId: string,
  plan: (request: ServiceRequestDoc) => Promise<RequestChange | null>,
): Promise<{ before: ServiceRequestDoc; after: ServiceRequestDoc }> {
  for (let attempt = 1; ; attempt++) {
    const request = await loadRequest(ctx, recordId);
    const change = await plan(request);
    if (!change) return { before: request, after: request };
    try {
      const updated = await ctx.requests.change({
        seen: request,
        action: change.action,
        actor: { id: actor.id, name: actor.name },
        at: ctx.now(),
        before: change.before,
        after: change.after,
        set: change.set,
        ...(actor.request ? { requestKey: actor.request.key } : {}),
      });
      return { before: request, after: updated };
    } catch (error) {
      if (!(error instanceof RecordConflict) || attempt >= MAX_TRIES) {
        if (error instanceof RecordConflict) throw new DomainError('RECORD.CHANGED', { number: request.number, actor: error.winner?.actorName ?? '?' });
        throw error;
      }
    }
  }
}

/** Opens the next tasks once none is open: the first not done, and those after it that start with it. */
export function openNextTasks(tasks: readonly FulfilmentTaskDoc[]): FulfilmentTaskDoc[] {
  if (tasks.some((task) => task.state === 'open')) return [...tasks];
  const next = tasks.findIndex((task) => task.state !== 'done');
  if (next < 0) return [...tasks];
  return tasks.map((task, i) => {
    const inWave = i === next || (i > next && tasks.slice(next + 1, i + 1).every((t2) => t2.parallel));
    return inWave && task.state === 'waiting' ? { ...task, state: 'open' } : task;
  });
}

/** The actor's card of the request as it now is, and everyone's redrawn. */
export type { Milestone };

export async function requestUpdated(ctx: HandlerContext, actor: Actor, request: ServiceRequestDoc, milestone?: Milestone, notice?: string): Promise<HandlerResult> {
  const card = requestCard(request, actor, ctx.catalog, { kind: 'person', id: actor.id, groups: actor.groups });
  return {
    views: [...(notice ? [{ kind: 'notice' as const, tone: 'success' as const, text: notice }] : []), card],
    announcements: await requestAnnouncements(ctx, request, milestone),
  };
}
