import { z } from 'zod';
import type { IncidentDoc } from '../../src/models/incident.model';
import type { Actor } from '../../src/people/people-directory';
import { acknowledgementDurations } from '../../src/services/incident-sla';
import { onRecord } from './record-input';
import { defineHandler } from '../handler';
import { changeIncident } from './change-incident';
import { INCIDENT_IDS } from '../../src/views/incident-actions';

const takesIt = (incident: IncidentDoc, actor: Actor) => !incident.assigneeId && actor.groups.includes(incident.assignmentGroup);

export const acknowledgeIncident = defineHandler({
  id: INCIDENT_IDS.ack,
  entry: { card: true },
  description: 'Acknowledge a new incident: you are on it, and the response clock stops.',
  input: z.object(onRecord),
  run: (ctx, actor, input) =>
    changeIncident(ctx, actor, input.recordId, 'acknowledge', input, (incident, to, at) => ({
      set: {
        state: to,
        acknowledgedAt: at,
        acknowledgedById: actor.id,
        acknowledgedByName: actor.name,
        // A member of the group acknowledging an unassigned incident takes it; an admin or a
        // manager from outside the group acknowledges without becoming its assignee.
        ...(takesIt(incident, actor) ? { assigneeId: actor.id, assigneeName: actor.name } : {}),
        durations: acknowledgementDurations(ctx.catalog, incident, at),
      },
      before: { state: incident.state, assigneeName: incident.assigneeName ?? null },
      after: { state: to, assigneeName: takesIt(incident, actor) ? actor.name : (incident.assigneeName ?? null) },
      line: {},
    })),
});
