import { stepOutcome } from '../../src/domain/approval-rules';
import type { RecordKind } from '../../src/models/audit-event.model';
import { t, type Locale } from '../../src/i18n/translate';
import type { ApprovalStepDoc, StepVoteDoc } from '../../src/models/service-request.model';
import type { Actor } from '../../src/people/people-directory';
import type { Milestone } from '../../src/views/request-announcements';
import type { HandlerContext, HandlerResult } from '../handler';

/** A record decided by approval steps: a service request, a change. */
export interface Votable {
  _id: string;
  number: string;
  title: string;
  state: string;
  requesterId: string;
  steps: ApprovalStepDoc[];
  currentStep: number;
  version: number;
}

export type VoteAction = 'approve' | 'reject';

export interface PlannedChange {
  action: VoteAction;
  set: Record<string, unknown>;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/** How one kind of record is voted on: what it is, how it is loaded, refused, changed and shown. */
export interface ApprovalFlow<T extends Votable> {
  kind: RecordKind;
  /** The state a record is in while its steps are decided. */
  deciding: string;
  /** Whether the person may see the record at all (to anyone else it does not exist: `notFound`). */
  mayView(record: T, actor: Actor): boolean;
  notFound: string;
  load(ctx: HandlerContext, recordId: string): Promise<T>;
  refuse(ctx: HandlerContext, actor: Actor, record: T, action: VoteAction, code: string, params?: Record<string, string | number>): Promise<never>;
  /** The lifecycle's rule for the action (the reason a rejection needs, a freeze's override…). */
  authorise(ctx: HandlerContext, actor: Actor, record: T, action: VoteAction, input: Record<string, unknown>): Promise<void>;
  /** Applies the planned change as one audited update, planning again on the record as it now is after a conflict. */
  change(ctx: HandlerContext, actor: Actor, recordId: string, plan: (record: T) => Promise<PlannedChange | null>): Promise<{ before: T; after: T }>;
  /** What the decision of the last step (approved) or of any step (rejected) does to the record besides its steps. */
  decided(ctx: HandlerContext, record: T, outcome: 'approved' | 'rejected', rejection: { byName: string; reason: string }, at: Date): Promise<{ set: Record<string, unknown>; milestone?: Milestone }>;
  /** What every counted vote sets on the record besides its steps (a request's first response). */
  counted?(record: T, at: Date): Record<string, unknown>;
  /** The requester's message for the decision the record carries (approved, rejected), if any: for a replay. */
  decisionMilestone(ctx: HandlerContext, record: T): Milestone | undefined;
  /** The actor's card of the record as it now is, and everyone's redrawn. */
  updated(ctx: HandlerContext, actor: Actor, record: T, milestone?: Milestone): Promise<HandlerResult>;
  stateName(locale: Locale, state: string): string;
}

export interface Ballot {
  recordId: string;
  /** The step the card was drawn for: a vote on a card of a step decided since is not counted for the next. */
  step?: number | undefined;
  decision: 'approved' | 'rejected';
  comment?: string | undefined;
  /** Input the lifecycle's rule reads (a freeze's override). */
  input?: Record<string, unknown>;
}

/** The vote was cast by this very platform request (replayed after its process died): it goes on rather than being refused. */
const isOwnReplay = (vote: { requestKey?: string }, actor: Actor) => actor.request !== undefined && vote.requestKey === actor.request.key;

/**
 * The person's stored vote, the same decision, was never counted into the step, which is still
 * being decided (its click's count failed, or its process died and its replay was given up): a
 * click again counts it rather than being refused, or the step would wait on it forever.
 */
const uncounted = <T extends Votable>(record: T, step: number, vote: { approverId: string; decision: string }, flow: ApprovalFlow<T>, action: VoteAction) =>
  record.state === flow.deciding &&
  record.currentStep === step &&
  vote.decision === (action === 'approve' ? 'approved' : 'rejected') &&
  !record.steps[step]?.votes.some((v) => v.approverId === vote.approverId);

/** May the actor vote on this step now? Each refusal is audited and said plainly. */
export async function mayVote<T extends Votable>(flow: ApprovalFlow<T>, ctx: HandlerContext, actor: Actor, record: T, step: number, action: VoteAction, input: Record<string, unknown> = {}): Promise<void> {
  if (!flow.mayView(record, actor)) await flow.refuse(ctx, actor, record, action, flow.notFound);
  if (record.requesterId === actor.id) await flow.refuse(ctx, actor, record, action, 'TRANSITION.OWN_RECORD');
  const mine = await ctx.votes.of(record._id, step, actor.id);
  if (mine && !isOwnReplay(mine, actor) && !uncounted(record, step, mine, flow, action)) {
    await flow.refuse(ctx, actor, record, action, 'REQUEST.ALREADY_VOTED', { decision: t(actor.locale, `request.decision.${mine.decision}`) });
  }
  // This request's own vote, replayed; or the same vote claimed by a click whose count never landed: it is counted now.
  if (mine) return;
  if (record.state !== flow.deciding || step !== record.currentStep) await flow.refuse(ctx, actor, record, action, 'REQUEST.DECIDED');
  if (!record.steps[step]?.approvers.some((a) => a.id === actor.id)) await flow.refuse(ctx, actor, record, action, 'REQUEST.NOT_APPROVER');
  await flow.authorise(ctx, actor, record, action, action === 'reject' ? { reason: 'given', ...input } : input);
}

/**
 * A vote: claimed on its own (so votes cast at the same moment are all kept, and a second click is
 * refused), then counted into the record: its step's tally, and the step's outcome once its rule
 * is met (the next step, or what the flow says a decision does).
 */
export async function castVote<T extends Votable>(flow: ApprovalFlow<T>, ctx: HandlerContext, actor: Actor, ballot: Ballot): Promise<HandlerResult> {
  const action: VoteAction = ballot.decision === 'approved' ? 'approve' : 'reject';
  const seen = await flow.load(ctx, ballot.recordId);
  const step = ballot.step ?? seen.currentStep;
  await mayVote(flow, ctx, actor, seen, step, action, ballot.input);
  const approver = seen.steps[step]?.approvers.find((a) => a.id === actor.id);
  const cast: StepVoteDoc = {
    approverId: actor.id,
    approverName: actor.name,
    ...(approver?.onBehalfOf ? { onBehalfOfName: approver.onBehalfOf.name } : {}),
    decision: ballot.decision,
    ...(ballot.comment ? { comment: ballot.comment } : {}),
    at: ctx.now(),
  };
  const claimed = await ctx.votes.cast({ ...cast, recordId: seen._id, step, ...(actor.request ? { requestKey: actor.request.key } : {}) });
  // Two clicks at once: the other one's claim won.
  const stored = claimed ? null : await ctx.votes.of(seen._id, step, actor.id);
  if (stored && !isOwnReplay(stored, actor) && !uncounted(seen, step, stored, flow, action)) {
    await flow.refuse(ctx, actor, seen, action, 'REQUEST.ALREADY_VOTED', { decision: t(actor.locale, `request.decision.${ballot.decision}`) });
  }
  let milestone: Milestone | undefined;
  const { after } = await flow.change(ctx, actor, seen._id, async (record) => {
    // Counted already (by another's update that read this vote), or decided before it could count.
    if (record.currentStep !== step || record.state !== flow.deciding) return null;
    if (record.steps[step]?.votes.some((v) => v.approverId === actor.id)) return null;
    const planned = await countVotes(flow, ctx, record, step, await ctx.votes.on(record, step), actor, action);
    milestone = planned.milestone;
    return planned.change;
  });
  if (!after.steps[step]?.votes.some((v) => v.approverId === actor.id)) {
    // Decided (or withdrawn) before this vote could count: it stays recorded, and the person is told.
    await ctx.audit.sideEvent({ recordKind: flow.kind, recordId: after._id, recordNumber: after.number, action: `${action}.late`, actor: { id: actor.id, name: actor.name }, at: ctx.now(), before: { state: after.state }, after: {} });
    const text = t(actor.locale, 'error.REQUEST.DECIDED', { number: after.number, state: flow.stateName(actor.locale, after.state) });
    return { ...(await flow.updated(ctx, actor, after)), views: [{ kind: 'notice', tone: 'info', text }] };
  }
  // A replay whose count had landed before its process died: the message the decision deserved may not have been stored.
  return flow.updated(ctx, actor, after, milestone ?? (actor.request?.replayed ? flow.decisionMilestone(ctx, after) : undefined));
}

/** The record with these votes counted into its step: the tally, and the step's outcome once its rule is met. */
async function countVotes<T extends Votable>(
  flow: ApprovalFlow<T>,
  ctx: HandlerContext,
  record: T,
  index: number,
  votes: readonly StepVoteDoc[],
  actor: Actor,
  action: VoteAction,
): Promise<{ change: PlannedChange; milestone?: Milestone }> {
  const at = ctx.now();
  const step = record.steps[index] as ApprovalStepDoc;
  const tally = votes.map(({ approverId, approverName, onBehalfOfName, decision, comment, at: when }) => ({
    approverId,
    approverName,
    ...(onBehalfOfName ? { onBehalfOfName } : {}),
    decision,
    ...(comment ? { comment } : {}),
    at: when,
  }));
  const outcome = stepOutcome(step, votes);
  const steps = record.steps.map((s, i) => {
    if (i === index) return { ...s, votes: tally, ...(outcome !== 'open' ? { outcome, decidedAt: at } : {}) };
    // The next step's deadline counts from now.
    return i === index + 1 && outcome === 'approved' ? { ...s, startedAt: at } : s;
  });
  const mine = tally.find((v) => v.approverId === actor.id);
  const before = { state: record.state, step: index };
  const after = { decision: mine?.decision, step: index, ...(mine?.comment ? { comment: mine.comment } : {}) };
  const last = index + 1 >= record.steps.length;
  const counted = flow.counted?.(record, at) ?? {};
  if (outcome === 'rejected' || (outcome === 'approved' && last)) {
    const rejecting = [...tally].reverse().find((v) => v.decision === 'rejected');
    const rejection = { byName: rejecting?.approverName ?? actor.name, reason: rejecting?.comment ?? '' };
    const decision = await flow.decided(ctx, record, outcome, rejection, at);
    const set: Record<string, unknown> = { ...counted, ...decision.set, steps, ...(outcome === 'approved' ? { currentStep: index + 1 } : {}) };
    return { change: { action, set, before, after: { ...after, state: set.state } }, ...(decision.milestone ? { milestone: decision.milestone } : {}) };
  }
  if (outcome === 'approved') return { change: { action, set: { ...counted, steps, currentStep: index + 1 }, before, after: { ...after, currentStep: index + 1 } } };
  return { change: { action, set: { ...counted, steps }, before, after } };
}
