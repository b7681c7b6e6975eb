import { editRule, type StateMachine } from './state-machine';

export const INCIDENT_STATES = ['new', 'in_progress', 'on_hold', 'resolved', 'closed'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];
export const OPEN_INCIDENT_STATES: readonly IncidentState[] = ['new', 'in_progress', 'on_hold'];

export const INCIDENT_ACTIONS = [
  'acknowledge',
  'hold',
  'resume',
  'resolve',
  'reopen',
  'close',
  'assign',
  'reprioritise',
  'comment',
] as const;
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

export const RESOLUTION_CODES = [
  'solved_permanently',
  'solved_workaround',
  'not_reproducible',
  'duplicate',
  'user_error',
  'resolved_by_change',
] as const;
export type ResolutionCode = (typeof RESOLUTION_CODES)[number];

export const HOLD_REASONS = ['awaiting_caller', 'awaiting_vendor', 'awaiting_change', 'awaiting_problem'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

export const INCIDENT_LIFECYCLE: StateMachine<IncidentState, IncidentAction> = [
  { action: 'acknowledge', from: ['new'], to: 'in_progress', roles: ['agent'] },
  { action: 'hold', from: ['new', 'in_progress'], to: 'on_hold', roles: ['agent'], requires: ['reason'] },
  { action: 'resume', from: ['on_hold'], to: 'in_progress', roles: ['agent'], relations: ['requester'] },
  {
    action: 'resolve',
    from: ['new', 'in_progress', 'on_hold'],
    to: 'resolved',
    roles: ['agent'],
    requires: ['code', 'notes'],
  },
  { action: 'reopen', from: ['resolved'], to: 'in_progress', roles: ['agent'], relations: ['requester'], requires: ['reason'] },
  { action: 'close', from: ['resolved'], to: 'closed', roles: ['agent'], relations: ['requester', 'system'] },
  // Edits that keep the state.
  ...editRule<IncidentState, IncidentAction>('assign', OPEN_INCIDENT_STATES, { roles: ['agent'] }),
  ...editRule<IncidentState, IncidentAction>('reprioritise', OPEN_INCIDENT_STATES, { roles: ['agent'] }),
  ...editRule<IncidentState, IncidentAction>('comment', ['new', 'in_progress', 'on_hold', 'resolved'], {
    roles: ['agent'],
    relations: ['requester'],
    requires: ['text'],
  }),
];
