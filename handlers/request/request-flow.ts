import { DomainError } from '../../src/domain/domain-error';
import { REQUEST_LIFECYCLE, type RequestAction } from '../../src/domain/service-request-lifecycle';
import { decide, type Relation } from '../../src/domain/state-machine';
import { t } from '../../src/i18n/translate';
import type { FulfilmentTaskDoc, ServiceRequestDoc } from '../../src/models/service-request.model';
import type { Actor } from '../../src/people/people-directory';
import { changeWithRetries, refuseOn, type PlannedRecordChange } from '../approval/record-flow';
import { requestCard } from '../../src/views/request-card';
import { requestAnnouncements, type Milestone } from '../../src/views/request-announcements';
import type { HandlerContext, HandlerResult } from '../handler';

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
export function refuse(
  ctx: HandlerContext,
  actor: Actor,
  request: ServiceRequestDoc,
  action: RequestAction,
  code: string,
  params: Record<string, string | number> = {},
  field?: string,
): Promise<never> {
  const stateName = t(actor.locale, `request.state.${request.state}`);
  return refuseOn(ctx, actor, { kind: 'request', _id: request._id, number: request.number, state: request.state, stateName }, action, code, params, field);
}

/** May the actor take this action on the request now (the lifecycle's rule)? Refusals are audited. */
export async function authoriseRequestAction(ctx: HandlerContext, actor: Actor, request: ServiceRequestDoc, action: RequestAction, input: Record<string, unknown> = {}): Promise<void> {
  const decision = decide(REQUEST_LIFECYCLE, action, request.state, { roles: actor.roles, relations: relationsToRequest(request, actor) }, input);
  if (decision.ok) return;
  const field = decision.code === 'TRANSITION.FIELD_REQUIRED' ? decision.field : undefined;
  await refuse(ctx, actor, request, action, decision.code, field ? { field } : {}, field);
}

export type RequestChange = PlannedRecordChange<RequestAction>;

/** A change planned on the request as it is, applied, planned again after a conflict (record-flow.ts). */
export function changeRequest(
  ctx: HandlerContext,
  actor: Actor,
  recordId: string,
  plan: (request: ServiceRequestDoc) => Promise<RequestChange | null>,
): Promise<{ before: ServiceRequestDoc; after: ServiceRequestDoc }> {
  // To someone who may not see it, it does not exist.
  const visible = async (request: ServiceRequestDoc) => (mayViewRequest(request, actor) ? plan(request) : refuseOn(ctx, actor, { kind: 'request', _id: request._id, number: request.number, state: request.state, stateName: '' }, 'view', 'REQUEST.NOT_FOUND'));
  return changeWithRetries(ctx, actor, () => loadRequest(ctx, recordId), (change) => ctx.requests.change(change), visible, (request) => ctx.requests.relist(request));
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
