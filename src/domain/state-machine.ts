import type { Role } from './roles';

/** How the actor stands to the record, besides their roles. */
export type Relation =
  | 'requester'
  /** The requester of a record that waits on them (an incident on hold awaiting the caller). */
  | 'awaited_requester'
  | 'assignee'
  | 'group_member'
  /** An agent of the record's assignment group. */
  | 'group_agent'
  /** A manager of the record's assignment group (configured per group). */
  | 'group_manager'
  /** An agent of another group than the record's. */
  | 'other_agent'
  /** One of those who decide the current step of a request's or a change's approval. */
  | 'approver'
  /** A member of a group with a fulfilment task of the request. */
  | 'fulfiller'
  | 'system';

export interface TransitionRule<State extends string, Action extends string> {
  action: Action;
  from: readonly State[];
  to: State;
  /** The actor needs one of these roles or one of these relations. */
  roles: readonly Role[];
  relations?: readonly Relation[];
  /** Never allowed to an actor with this relation, whatever their roles (no approving your own change). */
  forbiddenRelations?: readonly Relation[];
  /** Input fields that must be present and non-blank. */
  requires?: readonly string[];
}

export type StateMachine<State extends string, Action extends string> = readonly TransitionRule<State, Action>[];

export interface ActorStanding {
  roles: readonly Role[];
  relations: readonly Relation[];
}

export type Decision<State extends string> =
  | { ok: true; to: State }
  | { ok: false; code: 'TRANSITION.NOT_FROM_STATE'; from: State }
  | { ok: false; code: 'TRANSITION.FORBIDDEN' }
  | { ok: false; code: 'TRANSITION.OWN_RECORD' }
  | { ok: false; code: 'TRANSITION.FIELD_REQUIRED'; field: string };

/**
 * Decides whether `action` may happen to a record in state `from`, by this actor, with this input.
 * Checks in the order a person would want to hear about them: is it possible at all now, may
 * I do it, and what is missing.
 */
export function decide<State extends string, Action extends string>(
  machine: StateMachine<State, Action>,
  action: Action,
  from: State,
  actor: ActorStanding,
  input: Record<string, unknown> = {},
  options: { checkRequiredFields: boolean } = { checkRequiredFields: true },
): Decision<State> {
  const rule = machine.find((r) => r.action === action && r.from.includes(from));
  if (!rule) return { ok: false, code: 'TRANSITION.NOT_FROM_STATE', from };
  if (rule.forbiddenRelations?.some((r) => actor.relations.includes(r))) {
    return { ok: false, code: 'TRANSITION.OWN_RECORD' };
  }
  const byRole = rule.roles.some((r) => actor.roles.includes(r)) || actor.roles.includes('admin');
  const byRelation = (rule.relations ?? []).some((r) => actor.relations.includes(r));
  if (!byRole && !byRelation) return { ok: false, code: 'TRANSITION.FORBIDDEN' };
  for (const field of options.checkRequiredFields ? (rule.requires ?? []) : []) {
    const value = input[field];
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
      return { ok: false, code: 'TRANSITION.FIELD_REQUIRED', field };
    }
  }
  return { ok: true, to: rule.to };
}

/** Every action the machine knows, for tests and help text. */
export const actionsOf = <S extends string, A extends string>(machine: StateMachine<S, A>): A[] => [
  ...new Set(machine.map((r) => r.action)),
];

/** An action that changes a record without moving it: one rule per state, each leading back to itself. */
export function editRule<State extends string, Action extends string>(
  action: Action,
  states: readonly State[],
  rule: Omit<TransitionRule<State, Action>, 'action' | 'from' | 'to'>,
): TransitionRule<State, Action>[] {
  return states.map((state) => ({ ...rule, action, from: [state], to: state }));
}
