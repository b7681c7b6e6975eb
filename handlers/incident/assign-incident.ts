import { z } from 'zod';
import { DomainError } from '../../src/domain/domain-error';
import type { IncidentDoc } from '../../src/models/incident.model';
import type { Actor } from '../../src/people/people-directory';
import { acknowledgementDurations } from '../../src/services/incident-sla';
import { onRecord } from './record-input';
import { defineHandler, type HandlerContext } from '../handler';
import { authoriseIncidentAction, changeIncident, loadIncident, relationsOf } from './change-incident';
import { INCIDENT_IDS } from '../../src/views/incident-actions';

interface Assignment {
  group: string;
  assigneeId: string | null;
  assigneeName: string | null;
}

async function resolveAssignment(ctx: HandlerContext, input: { group?: string | undefined; assignee?: string | undefined }, current: string): Promise<Assignment> {
  const group = input.group ?? current;
  const groupConfig = ctx.catalog.groups.get(group);
  if (!groupConfig) throw new DomainError('GROUP.UNKNOWN', { group }, 'group');
  if (!input.assignee) return { group, assigneeId: null, assigneeName: null };
  const person = (await ctx.people.findById(input.assignee)) ?? (await ctx.people.findByEmail(input.assignee));
  if (!person) throw new DomainError('PERSON.UNKNOWN', {}, 'assignee');
  if (!ctx.people.groupsOf(person).includes(group)) {
    throw new DomainError('PERSON.NOT_IN_GROUP', { person: person.name, group: groupConfig.name }, 'assignee');
  }
  return { group, assigneeId: person._id, assigneeName: person.name };
}

function assign(ctx: HandlerContext, actor: Actor, seen: IncidentDoc, target: Assignment, cardVersion?: number) {
  return changeIncident(ctx, actor, seen, 'assign', cardVersion === undefined ? {} : { cardVersion }, (incident, _to, at) => {
    // Someone taking the incident acknowledges it, if nobody had.
    const takesIt = incident.state === 'new' && target.assigneeId === actor.id;
    return {
      set: {
        assignmentGroup: target.group,
        assigneeId: target.assigneeId,
        assigneeName: target.assigneeName,
        ...(takesIt
          ? {
              state: 'in_progress',
              acknowledgedAt: at,
              acknowledgedById: actor.id,
              acknowledgedByName: actor.name,
              durations: acknowledgementDurations(ctx.catalog, incident, at),
            }
          : {}),
      },
      before: { assignmentGroup: incident.assignmentGroup, assigneeName: incident.assigneeName ?? null, state: incident.state },
      after: { assignmentGroup: target.group, assigneeName: target.assigneeName, state: takesIt ? 'in_progress' : incident.state },
      line: {
        assignee: target.assigneeName ?? '-',
        group: ctx.catalog.groups.get(target.group)?.name ?? target.group,
      },
    };
  }, { assignTo: () => target.group });
}

export const assignIncident = defineHandler({
  id: INCIDENT_IDS.assign,
  description: 'Assign an incident to a group, or to a person in that group.',
  entry: { form: true },
  input: z.object({
    recordId: z.string().min(1),
    group: z.string().min(1).optional(),
    assignee: z.string().min(1).optional(),
  }),
  async run(ctx, actor, input) {
    const incident = await loadIncident(ctx, input.recordId);
    // Whether they may comes before what is wrong with the target (an unknown group or person).
    await authoriseIncidentAction(ctx, actor, incident, 'assign', { assignTo: input.group ?? incident.assignmentGroup });
    const target = await resolveAssignment(ctx, input, incident.assignmentGroup);
    return assign(ctx, actor, incident, target);
  },
});

export const assignIncidentToMe = defineHandler({
  id: INCIDENT_IDS.assignToMe,
  entry: { card: true },
  description: 'Take an incident: assign it to yourself (and acknowledge it if it is new).',
  input: z.object(onRecord),
  async run(ctx, actor, input) {
    const incident = await loadIncident(ctx, input.recordId);
    // An agent of another group takes it over to their own (first) group; members, the group's
    // managers and admins take it where it is. Whether they may is decided with the assignment.
    const relations = relationsOf(ctx.catalog, incident, actor);
    const worksIt = actor.roles.includes('admin') || relations.includes('group_agent') || relations.includes('group_manager');
    const takeover = !worksIt && relations.includes('other_agent') && actor.groups.length > 0;
    const group = takeover ? (actor.groups[0] as string) : incident.assignmentGroup;
    return assign(ctx, actor, incident, { group, assigneeId: actor.id, assigneeName: actor.name }, input.cardVersion);
  },
});
