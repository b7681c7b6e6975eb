import type { StateMachine } from './state-machine';

export const REQUEST_STATES = [
  'submitted',
  'awaiting_approval',
  'approved',
  'rejected',
  'in_fulfilment',
  'fulfilled',
  'closed',
  'cancelled',
] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

export const REQUEST_ACTIONS = ['route_for_approval', 'approve', 'reject', 'start_fulfilment', 'fulfil', 'close', 'cancel'] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];

export const REQUEST_LIFECYCLE: StateMachine<RequestState, RequestAction> = [
  { action: 'route_for_approval', from: ['submitted'], to: 'awaiting_approval', roles: [], relations: ['system'] },
  { action: 'approve', from: ['awaiting_approval'], to: 'approved', roles: ['approver'], forbiddenRelations: ['requester'] },
  {
    action: 'reject',
    from: ['awaiting_approval'],
    to: 'rejected',
    roles: ['approver'],
    forbiddenRelations: ['requester'],
    requires: ['comment'],
  },
  { action: 'start_fulfilment', from: ['submitted', 'approved'], to: 'in_fulfilment', roles: ['agent'], relations: ['system'] },
  { action: 'fulfil', from: ['in_fulfilment'], to: 'fulfilled', roles: ['agent'], requires: ['notes'] },
  { action: 'close', from: ['fulfilled', 'rejected'], to: 'closed', roles: ['agent'], relations: ['requester', 'system'] },
  {
    action: 'cancel',
    from: ['submitted', 'awaiting_approval', 'approved', 'in_fulfilment'],
    to: 'cancelled',
    roles: ['agent'],
    relations: ['requester'],
    requires: ['reason'],
  },
];
