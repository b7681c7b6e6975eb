import { z } from 'zod';
import { stepOutcome } from '../../src/domain/approval-rules';
import { t } from '../../src/i18n/translate';
import type { ApprovalStepDoc, ServiceRequestDoc, StepVoteDoc } from '../../src/models/service-request.model';
import type { Actor } from '../../src/people/people-directory';
import { REQUEST_IDS } from '../../src/views/request-actions';
import { defineHandler, result, type HandlerContext, type HandlerResult } from '../handler';
import { authoriseRequestAction, changeRequest, loadRequest, openNextTasks, refuse, requestUpdated, type Milestone, type RequestChange } from './request-flow';

const REASON_MAX = 1000;

interface Ballot {
  recordId: string;
  /** The step the card was drawn for: a vote on a card of a step decided since is not counted for the next. */
  step?: number | undefined;
  decision: 'approved' | 'rejected';
  comment?: string | undefined;
}

/** The vote was cast by this very platform request (replayed after its process died): it goes on rather than being refused. */
const isOwnReplay = (vote: { requestKey?: string }, actor: Actor) => actor.request !== undefined && vote.requestKey === actor.request.key;

const stepOf = (value: string | undefined) => (value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined);

export const approveRequest = defineHandler({
  id: REQUEST_IDS.approve,
  description: 'Approve a request at your step of its approval, with an optional comment.',
  entry: { card: true, toInput: (i) => ({ recordId: i.recordId, step: stepOf(i.value), comment: i.form?.comment }) },
  input: z.object({ recordId: z.string().min(1), step: z.number().int().min(0).optional(), comment: z.string().trim().max(REASON_MAX).optional() }),
  run: (ctx, actor, input) => vote(ctx, actor, { ...input, decision: 'approved' }),
});

export const rejectRequestForm = defineHandler({
  id: REQUEST_IDS.rejectForm,
  description: 'Open the form to reject a request (a reason is required).',
  entry: { card: true, toInput: (i) => ({ recordId: i.recordId, step: stepOf(i.value) }) },
  input: z.object({ recordId: z.string().min(1), step: z.number().int().min(0).optional() }),
  async run(ctx, actor, input) {
    const request = await loadRequest(ctx, input.recordId);
    await mayVote(ctx, actor, request, input.step ?? request.currentStep, 'reject');
    return result([
      {
        kind: 'form',
        title: t(actor.locale, 'request.form.reject', { number: request.number }),
        submitId: REQUEST_IDS.reject,
        submitLabel: t(actor.locale, 'request.form.rejectSubmit'),
        // The step travels with the record id: `REQ0001001#0`.
        recordId: `${request._id}#${input.step ?? request.currentStep}`,
        fields: [{ id: 'reason', label: t(actor.locale, 'request.field.reason'), type: 'long_text', required: true, maxLength: REASON_MAX }],
      },
    ]);
  },
});

export const rejectRequest = defineHandler({
  id: REQUEST_IDS.reject,
  description: 'Reject a request at your step of its approval, with the reason the requester reads.',
  entry: {
    form: true,
    toInput: (i) => {
      const [recordId, step] = (i.recordId ?? '').split('#');
      return { recordId, step: stepOf(step), reason: i.form?.reason };
    },
  },
  input: z.object({ recordId: z.string().min(1), step: z.number().int().min(0).optional(), reason: z.string().trim().min(1).max(REASON_MAX) }),
  run: (ctx, actor, input) => vote(ctx, actor, { recordId: input.recordId, step: input.step, decision: 'rejected', comment: input.reason }),
});

/** May the actor vote on this step now? Each refusal is audited and said plainly. */
async function mayVote(ctx: HandlerContext, actor: Actor, request: ServiceRequestDoc, step: number, action: 'approve' | 'reject'): Promise<void> {
  if (request.requesterId === actor.id) await refuse(ctx, actor, request, action, 'TRANSITION.OWN_RECORD');
  const mine = await ctx.requests.voteOf(request._id, step, actor.id);
  if (mine && !isOwnReplay(mine, actor)) {
    await refuse(ctx, actor, request, action, 'REQUEST.ALREADY_VOTED', { decision: t(actor.locale, `request.decision.${mine.decision}`) });
  }
  if (mine) return; // this request's own vote, replayed: it goes on
  if (request.state !== 'awaiting_approval' || step !== request.currentStep) await refuse(ctx, actor, request, action, 'REQUEST.DECIDED');
  if (!request.steps[step]?.approvers.some((a) => a.id === actor.id)) await refuse(ctx, actor, request, action, 'REQUEST.NOT_APPROVER');
  await authoriseRequestAction(ctx, actor, request, action, action === 'reject' ? { reason: 'given' } : {});
}

/**
 * A vote: claimed on its own (so votes cast at the same moment are all kept, and a second click is
 * refused), then counted into the request: its step's tally, and the step's outcome once its rule
 * is met (the next step, the fulfilment, or the rejection).
 */
async function vote(ctx: HandlerContext, actor: Actor, ballot: Ballot): Promise<HandlerResult> {
  const action = ballot.decision === 'approved' ? 'approve' : 'reject';
  const seen = await loadRequest(ctx, ballot.recordId);
  const step = ballot.step ?? seen.currentStep;
  await mayVote(ctx, actor, seen, step, action);
  const approver = seen.steps[step]?.approvers.find((a) => a.id === actor.id);
  const cast: StepVoteDoc = {
    approverId: actor.id,
    approverName: actor.name,
    ...(approver?.onBehalfOf ? { onBehalfOfName: approver.onBehalfOf.name } : {}),
    decision: ballot.decision,
    ...(ballot.comment ? { comment: ballot.comment } : {}),
    at: ctx.now(),
  };
  const claimed = await ctx.requests.castVote({ ...cast, recordId: seen._id, step, ...(actor.request ? { requestKey: actor.request.key } : {}) });
  // Two clicks at once: the other one's claim won.
  const stored = claimed ? null : await ctx.requests.voteOf(seen._id, step, actor.id);
  if (stored && !isOwnReplay(stored, actor)) {
    await refuse(ctx, actor, seen, action, 'REQUEST.ALREADY_VOTED', { decision: t(actor.locale, `request.decision.${ballot.decision}`) });
  }
  let milestone: Milestone | undefined;
  const { after } = await changeRequest(ctx, actor, seen._id, async (request) => {
    // Counted already (by another's update that read this vote), or decided before it could count.
    if (request.currentStep !== step || request.state !== 'awaiting_approval') return null;
    if (request.steps[step]?.votes.some((v) => v.approverId === actor.id)) return null;
    const votes = await ctx.requests.votesOn(request, step);
    const planned = countVotes(ctx, request, step, votes, actor, action);
    milestone = planned.milestone;
    return planned.change;
  });
  const counted = after.steps[step]?.votes.some((v) => v.approverId === actor.id);
  if (!counted) {
    // Decided (or withdrawn) before this vote could count: it stays recorded, and the person is told.
    await ctx.audit.sideEvent({ recordKind: 'request', recordId: after._id, recordNumber: after.number, action: `${action}.late`, actor: { id: actor.id, name: actor.name }, at: ctx.now(), before: { state: after.state }, after: {} });
    return { ...(await requestUpdated(ctx, actor, after)), views: [{ kind: 'notice', tone: 'info', text: t(actor.locale, 'error.REQUEST.DECIDED', { number: after.number, state: t(actor.locale, `request.state.${after.state}`) }) }] };
  }
  return requestUpdated(ctx, actor, after, milestone);
}

/** The request with these votes counted into its step: the tally, and the step's outcome once its rule is met. */
function countVotes(
  ctx: HandlerContext,
  request: ServiceRequestDoc,
  index: number,
  votes: readonly StepVoteDoc[],
  actor: Actor,
  action: 'approve' | 'reject',
): { change: RequestChange; milestone?: Milestone } {
  const at = ctx.now();
  const step = request.steps[index] as ApprovalStepDoc;
  const tally = votes.map(({ approverId, approverName, onBehalfOfName, decision, comment, at: when }) => ({
    approverId,
    approverName,
    ...(onBehalfOfName ? { onBehalfOfName } : {}),
    decision,
    ...(comment ? { comment } : {}),
    at: when,
  }));
  const outcome = stepOutcome(step, votes);
  const steps = request.steps.map((s, i) => {
    if (i === index) return { ...s, votes: tally, ...(outcome !== 'open' ? { outcome, decidedAt: at } : {}) };
    // The next step's deadline counts from now.
    return i === index + 1 && outcome === 'approved' ? { ...s, startedAt: at } : s;
  });
  const mine = tally.find((v) => v.approverId === actor.id);
  const base = { action, before: { state: request.state, step: index }, after: { decision: mine?.decision, step: index, ...(mine?.comment ? { comment: mine.comment } : {}) } };
  const params = { number: request.number, title: request.title };
  if (outcome === 'rejected') {
    const last = [...tally].reverse().find((v) => v.decision === 'rejected');
    const rejection = { byName: last?.approverName ?? actor.name, reason: last?.comment ?? '' };
    return {
      change: { ...base, set: { steps, state: 'rejected', rejection }, after: { ...base.after, state: 'rejected' } },
      milestone: { key: 'request.told.rejected', reason: 'request.rejected', params: { ...params, name: rejection.byName, reason: rejection.reason } },
    };
  }
  if (outcome === 'approved' && index + 1 >= request.steps.length) {
    const group = ctx.catalog.groups.get(request.fulfilmentGroup)?.name ?? request.fulfilmentGroup;
    return {
      change: { ...base, set: { steps, currentStep: index + 1, state: 'in_fulfilment', tasks: openNextTasks(request.tasks) }, after: { ...base.after, state: 'in_fulfilment' } },
      milestone: { key: 'request.told.approved', reason: 'request.approved', params: { ...params, group } },
    };
  }
  if (outcome === 'approved') return { change: { ...base, set: { steps, currentStep: index + 1 }, after: { ...base.after, currentStep: index + 1 } } };
  return { change: { ...base, set: { steps } } };
}
