import type { StateMachine } from './state-machine';

export const PROBLEM_STATES = ['new', 'assessment', 'root_cause_analysis', 'fix_in_progress', 'resolved', 'closed'] as const;
export type ProblemState = (typeof PROBLEM_STATES)[number];

export const PROBLEM_ACTIONS = ['assess', 'analyse', 'record_root_cause', 'resolve', 'close', 'reopen'] as const;
export type ProblemAction = (typeof PROBLEM_ACTIONS)[number];

export const PROBLEM_LIFECYCLE: StateMachine<ProblemState, ProblemAction> = [
  { action: 'assess', from: ['new'], to: 'assessment', roles: ['problem_manager'] },
  { action: 'analyse', from: ['assessment'], to: 'root_cause_analysis', roles: ['problem_manager', 'agent'] },
  {
    action: 'record_root_cause',
    from: ['root_cause_analysis'],
    to: 'fix_in_progress',
    roles: ['problem_manager', 'agent'],
    requires: ['rootCause'],
  },
  { action: 'resolve', from: ['fix_in_progress'], to: 'resolved', roles: ['problem_manager'], requires: ['notes'] },
  { action: 'close', from: ['resolved'], to: 'closed', roles: ['problem_manager'] },
  { action: 'reopen', from: ['resolved', 'closed'], to: 'root_cause_analysis', roles: ['problem_manager'], requires: ['reason'] },
];
