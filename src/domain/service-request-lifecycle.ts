import { editRule, type StateMachine } from './state-machine';

export const REQUEST_STATES = ['awaiting_approval', 'in_fulfilment', 'fulfilled', 'rejected', 'closed', 'cancelled'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

/** States in which a request is still someone's work (an approver's or a fulfilment group's). */
export const OPEN_REQUEST_STATES: readonly RequestState[] = ['awaiting_approval', 'in_fulfilment'];

export const REQUEST_ACTIONS = ['approve', 'reject', 'escalate', 'take', 'complete_task', 'fulfil', 'rate', 'close', 'cancel'] as const;
export type RequestAction = (typeof REQUEST_ACTIONS)[number];

/**
 * Approving is a vote of an approver of the request's current step (docs/approvals.md): its rule
 * decides when the step is approved, and the last step's approval starts the fulfilment. An
 * admin's role does not make them an approver; nobody decides on their own request.
 */
export const REQUEST_LIFECYCLE: StateMachine<RequestState, RequestAction> = [
  { action: 'approve', from: ['awaiting_approval'], to: 'in_fulfilment', roles: [], relations: ['approver'], forbiddenRelations: ['requester'] },
  {
    action: 'reject',
    from: ['awaiting_approval'],
    to: 'rejected',
    roles: [],
    relations: ['approver'],
    forbiddenRelations: ['requester'],
    requires: ['reason'],
  },
  // An approval past its deadline: the item's escalation person is asked too (a job).
  ...editRule<RequestState, RequestAction>('escalate', ['awaiting_approval'], { roles: [], relations: ['system'] }),
  // Nobody takes their own request (which would stop its response clock).
  ...editRule<RequestState, RequestAction>('take', ['in_fulfilment'], { roles: [], relations: ['fulfiller'], forbiddenRelations: ['requester'] }),
  ...editRule<RequestState, RequestAction>('complete_task', ['in_fulfilment'], { roles: [], relations: ['fulfiller'] }),
  { action: 'fulfil', from: ['in_fulfilment'], to: 'fulfilled', roles: [], relations: ['fulfiller', 'system'] },
  // The requester rates the service once it is fulfilled (again: the last rating stands).
  ...editRule<RequestState, RequestAction>('rate', ['fulfilled', 'closed'], { roles: [], relations: ['requester'] }),
  { action: 'close', from: ['fulfilled', 'rejected'], to: 'closed', roles: ['agent'], relations: ['requester', 'system'] },
  { action: 'cancel', from: ['awaiting_approval', 'in_fulfilment'], to: 'cancelled', roles: [], relations: ['requester', 'fulfiller'] },
];
