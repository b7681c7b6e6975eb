import { CHANGE_LIFECYCLE, CHANGE_STATES } from '../../../src/domain/change-lifecycle';
import { INCIDENT_LIFECYCLE, INCIDENT_STATES } from '../../../src/domain/incident-lifecycle';
import { PROBLEM_LIFECYCLE, PROBLEM_STATES } from '../../../src/domain/problem-lifecycle';
import { REQUEST_LIFECYCLE, REQUEST_STATES } from '../../../src/domain/service-request-lifecycle';
import { actionsOf, decide, type Relation, type StateMachine } from '../../../src/domain/state-machine';
import type { Role } from '../../../src/domain/roles';

const machines: [string, StateMachine<string, string>, readonly string[]][] = [
  ['incident', INCIDENT_LIFECYCLE, INCIDENT_STATES],
  ['service request', REQUEST_LIFECYCLE, REQUEST_STATES],
  ['problem', PROBLEM_LIFECYCLE, PROBLEM_STATES],
  ['change', CHANGE_LIFECYCLE, CHANGE_STATES],
];

const fill = (fields: readonly string[] = []) => Object.fromEntries(fields.map((f) => [f, 'given']));

describe.each(machines)('%s lifecycle', (_name, machine, states) => {
  const cases = machine.flatMap((rule) => rule.from.map((from) => [rule.action, from, rule.to, rule] as const));

  it.each(cases)('%s from %s → %s is allowed with the role, relation and fields it needs', (action, from, to, rule) => {
    const roles: Role[] = rule.roles.length > 0 ? [rule.roles[0] as Role] : [];
    const relations: Relation[] = rule.roles.length > 0 ? [] : [rule.relations?.[0] as Relation];
    expect(decide(machine, action, from, { roles, relations }, fill(rule.requires))).toEqual({ ok: true, to });
  });

  it.each(cases)('%s from %s is refused to someone without the role or relation', (action, from, _to, rule) => {
    const unrelated: Relation[] = (['requester', 'assignee', 'group_member', 'system'] as Relation[]).filter(
      (r) => !(rule.relations ?? []).includes(r) && !(rule.forbiddenRelations ?? []).includes(r),
    );
    const otherRoles = (['agent', 'approver', 'change_manager', 'problem_manager'] as Role[]).filter((r) => !rule.roles.includes(r));
    expect(decide(machine, action, from, { roles: otherRoles, relations: unrelated }, fill(rule.requires))).toEqual({
      ok: false,
      code: 'TRANSITION.FORBIDDEN',
    });
  });

  it.each(cases.filter(([, , , rule]) => (rule.requires ?? []).length > 0))(
    '%s from %s is refused while a required field is blank',
    (action, from, _to, rule) => {
      for (const missing of rule.requires ?? []) {
        const input = { ...fill(rule.requires), [missing]: '  ' };
        expect(decide(machine, action, from, { roles: ['admin'], relations: [] }, input)).toEqual({
          ok: false,
          code: 'TRANSITION.FIELD_REQUIRED',
          field: missing,
        });
      }
    },
  );

  const impossible = actionsOf(machine).flatMap((action) =>
    states.filter((s) => !machine.some((r) => r.action === action && r.from.includes(s))).map((s) => [action, s] as const),
  );
  it.each(impossible)('%s from %s is refused whoever asks', (action, from) => {
    expect(decide(machine, action, from, { roles: ['admin'], relations: ['requester', 'assignee', 'system'] }, {})).toEqual({
      ok: false,
      code: 'TRANSITION.NOT_FROM_STATE',
      from,
    });
  });

});

describe.each(machines.filter(([name]) => name === 'service request' || name === 'change'))('%s approvals', (name, machine) => {
  const ownRecordRules = machine.filter((r) => r.forbiddenRelations?.includes('requester'));

  it('forbid approving or rejecting your own record (and taking your own request)', () => {
    expect(ownRecordRules.map((r) => r.action).sort()).toEqual(name === 'service request' ? ['approve', 'reject', 'take'] : ['approve', 'reject']);
  });

  it.each(ownRecordRules.map((r) => [r.action, r.from[0] as string, r] as const))(
    'nobody may %s their own record (from %s), not even an admin',
    (action, from, rule) => {
      const decision = decide(machine, action, from, { roles: ['admin', ...rule.roles], relations: ['requester'] }, fill(rule.requires));
      expect(decision).toEqual({ ok: false, code: 'TRANSITION.OWN_RECORD' });
    },
  );
});

describe('incident lifecycle specifics', () => {
  it('lets the requester close and reopen their resolved incident, but not resolve it', () => {
    const requester = { roles: [] as Role[], relations: ['requester'] as Relation[] };
    expect(decide(INCIDENT_LIFECYCLE, 'close', 'resolved', requester).ok).toBe(true);
    expect(decide(INCIDENT_LIFECYCLE, 'reopen', 'resolved', requester, { reason: 'still broken' }).ok).toBe(true);
    expect(decide(INCIDENT_LIFECYCLE, 'resolve', 'in_progress', requester, { code: 'x', notes: 'y' }).ok).toBe(false);
  });

  it('keeps the state for edits (assign, priority, comment)', () => {
    expect(decide(INCIDENT_LIFECYCLE, 'assign', 'on_hold', { roles: ['agent'], relations: ['group_agent'] })).toEqual({ ok: true, to: 'on_hold' });
    expect(decide(INCIDENT_LIFECYCLE, 'assign', 'closed', { roles: ['agent'], relations: ['group_agent'] }).ok).toBe(false);
  });

  it('lets the agent role alone work no incident: the standing to its group decides', () => {
    expect(decide(INCIDENT_LIFECYCLE, 'acknowledge', 'new', { roles: ['agent'], relations: [] }).ok).toBe(false);
    expect(decide(INCIDENT_LIFECYCLE, 'acknowledge', 'new', { roles: ['agent'], relations: ['other_agent'] }).ok).toBe(false);
    expect(decide(INCIDENT_LIFECYCLE, 'assign', 'new', { roles: ['agent'], relations: ['other_agent'] }).ok).toBe(true);
    expect(decide(INCIDENT_LIFECYCLE, 'resolve', 'new', { roles: [], relations: ['group_manager'] }, { code: 'x', notes: 'y' }).ok).toBe(true);
    expect(decide(INCIDENT_LIFECYCLE, 'resolve', 'new', { roles: ['admin'], relations: [] }, { code: 'x', notes: 'y' }).ok).toBe(true);
  });

  it('lets the requester resume only a hold that waits on them', () => {
    expect(decide(INCIDENT_LIFECYCLE, 'resume', 'on_hold', { roles: [], relations: ['requester'] }).ok).toBe(false);
    expect(decide(INCIDENT_LIFECYCLE, 'resume', 'on_hold', { roles: [], relations: ['requester', 'awaited_requester'] }).ok).toBe(true);
  });
});
