import { editRule, type StateMachine } from './state-machine';

export const CHANGE_TYPES = ['standard', 'normal', 'emergency'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

/** `assessment`: its approval steps are being decided; a change needing none is scheduled at once. */
export const CHANGE_STATES = ['assessment', 'scheduled', 'implementing', 'review', 'closed', 'rejected', 'cancelled'] as const;
export type ChangeState = (typeof CHANGE_STATES)[number];

/** States in which a change still holds its window (collisions are looked for among these). */
export const OPEN_CHANGE_STATES: readonly ChangeState[] = ['assessment', 'scheduled', 'implementing'];

export const CHANGE_OUTCOMES = ['successful', 'failed', 'backed_out'] as const;
export type ChangeOutcome = (typeof CHANGE_OUTCOMES)[number];

export const CHANGE_ACTIONS = ['approve', 'reject', 'escalate', 'override_freeze', 'start', 'complete', 'close', 'cancel'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

/**
 * A change (RFC) from its submission to its review (docs/approvals.md). Approving is a vote of an
 * approver of the current step, as for requests; the last step's approval schedules it. Its
 * implementer is its requester (or a change manager); a change manager overrides a freeze and
 * closes the review.
 */
export const CHANGE_LIFECYCLE: StateMachine<ChangeState, ChangeAction> = [
  { action: 'approve', from: ['assessment'], to: 'scheduled', roles: [], relations: ['approver'], forbiddenRelations: ['requester'] },
  { action: 'reject', from: ['assessment'], to: 'rejected', roles: [], relations: ['approver'], forbiddenRelations: ['requester'], requires: ['reason'] },
  ...editRule<ChangeState, ChangeAction>('escalate', ['assessment'], { roles: [], relations: ['system'] }),
  ...editRule<ChangeState, ChangeAction>('override_freeze', ['assessment', 'scheduled'], { roles: ['change_manager'] }),
  { action: 'start', from: ['scheduled'], to: 'implementing', roles: ['change_manager'], relations: ['requester'] },
  { action: 'complete', from: ['implementing'], to: 'review', roles: ['change_manager'], relations: ['requester'], requires: ['outcome'] },
  { action: 'close', from: ['review'], to: 'closed', roles: ['change_manager'] },
  { action: 'cancel', from: ['assessment', 'scheduled'], to: 'cancelled', roles: ['change_manager'], relations: ['requester'] },
];
