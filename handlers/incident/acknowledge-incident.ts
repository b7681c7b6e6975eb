import { z } from 'zod';
import { acknowledgementDurations } from '../../src/services/incident-sla';
import { defineHandler } from '../handler';
import { changeIncident } from './change-incident';
import { INCIDENT_IDS } from './incident-actions';

export const acknowledgeIncident = defineHandler({
  id: INCIDENT_IDS.ack,
  description: 'Acknowledge a new incident: you are on it, and the response clock stops.',
  input: z.object({ recordId: z.string().min(1) }),
  run: (ctx, actor, input) =>
    changeIncident(ctx, actor, input.recordId, 'acknowledge', input, (incident, to, at) => ({
      set: {
        state: to,
        acknowledgedAt: at,
        acknowledgedById: actor.id,
        acknowledgedByName: actor.name,
        // Acknowledging an unassigned incident takes it.
        ...(incident.assigneeId ? {} : { assigneeId: actor.id, assigneeName: actor.name }),
        durations: acknowledgementDurations(ctx.catalog, incident, at),
      },
      before: { state: incident.state, assigneeName: incident.assigneeName ?? null },
      after: { state: to, assigneeName: incident.assigneeName ?? actor.name },
      line: {},
    })),
});
