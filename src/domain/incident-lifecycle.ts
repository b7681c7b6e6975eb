import type { Role } from './roles';
import { editRule, type Relation, type StateMachine } from './state-machine';

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
  'rate',
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

/** Hold reasons that wait on the requester: they may resume the incident by answering. */
export const HOLD_REASONS_AWAITING_REQUESTER: readonly HoldReason[] = ['awaiting_caller'];

/**
 * Who works an incident (docs/authorisation.md): agents of its assignment group and the group's
 * managers; admins may act on any (the state machine lets `admin` through every rule). An agent of
 * another group may only take it over (assign it to their own group, checked with the target in
 * `mayAssignTo`). The requester may comment, close or reopen their resolved incident, and resume it
 * from a hold that waits on them.
 */
const WORKERS = ['group_agent', 'group_manager'] as const;

export const INCIDENT_LIFECYCLE: StateMachine<IncidentState, IncidentAction> = [
  { action: 'acknowledge', from: ['new'], to: 'in_progress', roles: [], relations: WORKERS },
  { action: 'hold', from: ['new', 'in_progress'], to: 'on_hold', roles: [], relations: WORKERS, requires: ['reason'] },
  { action: 'resume', from: ['on_hold'], to: 'in_progress', roles: [], relations: [...WORKERS, 'awaited_requester'] },
  { action: 'resolve', from: ['new', 'in_progress', 'on_hold'], to: 'resolved', roles: [], relations: WORKERS, requires: ['code', 'notes'] },
  { action: 'reopen', from: ['resolved'], to: 'in_progress', roles: [], relations: [...WORKERS, 'requester'], requires: ['reason'] },
  { action: 'close', from: ['resolved'], to: 'closed', roles: [], relations: [...WORKERS, 'requester', 'system'] },
  // Edits that keep the state.
  ...editRule<IncidentState, IncidentAction>('assign', OPEN_INCIDENT_STATES, { roles: [], relations: [...WORKERS, 'other_agent'] }),
  ...editRule<IncidentState, IncidentAction>('reprioritise', OPEN_INCIDENT_STATES, { roles: [], relations: WORKERS }),
  ...editRule<IncidentState, IncidentAction>('comment', ['new', 'in_progress', 'on_hold', 'resolved'], {
    roles: [],
    relations: [...WORKERS, 'requester'],
    requires: ['text'],
  }),
  // The requester says how the service went, once it is resolved (again after a later resolution).
  ...editRule<IncidentState, IncidentAction>('rate', ['resolved', 'closed'], { roles: [], relations: ['requester'], requires: ['rating'] }),
];

/** What the rule needs to know of an incident and of the person acting on it. */
export interface IncidentStanding {
  requesterId: string;
  assigneeId?: string | null | undefined;
  assignmentGroup: string;
  holdReason?: string | null | undefined;
}
export interface ActorStandingFacts {
  id: string;
  email?: string | undefined;
  roles: readonly Role[];
  groups: readonly string[];
}

/** How the actor stands to the incident; `groupManagers` are the e-mails of its group's managers. */
export function relationsToIncident(incident: IncidentStanding, actor: ActorStandingFacts, groupManagers: readonly string[]): Relation[] {
  const relations: Relation[] = [];
  const agent = actor.roles.includes('agent');
  const member = actor.groups.includes(incident.assignmentGroup);
  if (incident.requesterId === actor.id) {
    relations.push('requester');
    if (HOLD_REASONS_AWAITING_REQUESTER.some((r) => r === incident.holdReason)) relations.push('awaited_requester');
  }
  if (incident.assigneeId === actor.id) relations.push('assignee');
  if (member) relations.push('group_member');
  if (agent && member) relations.push('group_agent');
  if (agent && !member) relations.push('other_agent');
  if (actor.email && groupManagers.some((m) => m.toLowerCase() === actor.email?.toLowerCase())) relations.push('group_manager');
  return relations;
}

/**
 * Whether an assignment to `targetGroup` is within the actor's standing: those who work the
 * incident (and admins) assign it anywhere; an agent of another group only takes it over to a
 * group of their own.
 */
export function mayAssignTo(relations: readonly Relation[], roles: readonly Role[], actorGroups: readonly string[], targetGroup: string): boolean {
  if (roles.includes('admin') || relations.includes('group_agent') || relations.includes('group_manager')) return true;
  return relations.includes('other_agent') && actorGroups.includes(targetGroup);
}

/**
 * Who may see an incident's details (description, requester, actions): anyone with a role, and
 * whoever stands in a relation to it (its requester, its group). Everyone else sees only that it
 * exists (number, title, service, priority, state), as on a status page.
 */
export function mayViewIncident(roles: readonly Role[], relations: readonly Relation[]): boolean {
  return roles.length > 0 || relations.length > 0;
}
