import type { StateMachine } from './state-machine';

export const CHANGE_TYPES = ['standard', 'normal', 'emergency'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

export const CHANGE_STATES = [
  'draft',
  'assessment',
  'approved',
  'rejected',
  'scheduled',
  'implementing',
  'review',
  'closed',
] as const;
export type ChangeState = (typeof CHANGE_STATES)[number];

export const CHANGE_OUTCOMES = ['successful', 'failed', 'backed_out'] as const;
export type ChangeOutcome = (typeof CHANGE_OUTCOMES)[number];

export const CHANGE_ACTIONS = [
  'submit',
  'approve',
  'reject',
  'schedule',
  'start',
  'complete',
  'close',
  'revise',
] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

export const CHANGE_LIFECYCLE: StateMachine<ChangeState, ChangeAction> = [
  { action: 'submit', from: ['draft'], to: 'assessment', roles: ['change_manager'], relations: ['requester'], requires: ['plan', 'backoutPlan'] },
  { action: 'approve', from: ['assessment'], to: 'approved', roles: ['approver', 'change_manager'], forbiddenRelations: ['requester'] },
  {
    action: 'reject',
    from: ['assessment'],
    to: 'rejected',
    roles: ['approver', 'change_manager'],
    forbiddenRelations: ['requester'],
    requires: ['comment'],
  },
  { action: 'revise', from: ['rejected'], to: 'draft', roles: ['change_manager'], relations: ['requester'] },
  { action: 'schedule', from: ['approved'], to: 'scheduled', roles: ['change_manager'], relations: ['requester'], requires: ['windowStart', 'windowEnd'] },
  { action: 'start', from: ['scheduled'], to: 'implementing', roles: ['change_manager'], relations: ['requester', 'assignee'] },
  { action: 'complete', from: ['implementing'], to: 'review', roles: ['change_manager'], relations: ['requester', 'assignee'], requires: ['outcome'] },
  { action: 'close', from: ['review'], to: 'closed', roles: ['change_manager'] },
];
