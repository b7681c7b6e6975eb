import { z } from 'zod';
import { DomainError } from '../../src/domain/domain-error';
import { LEVELS, priorityOf } from '../../src/domain/priority';
import { slaFor } from '../../src/services/incident-sla';
import { onRecord } from './record-input';
import { defineHandler } from '../handler';
import { changeIncident } from './change-incident';
import { INCIDENT_IDS } from '../../src/views/incident-actions';

export const reprioritiseIncident = defineHandler({
  id: INCIDENT_IDS.priority,
  description: 'Change impact and urgency; the priority and SLA due times are recomputed.',
  entry: {
    card: true,
    // The menu's value is `impact:urgency`.
    toInput: (i) => {
      const [impact, urgency] = (i.value ?? '').split(':');
      return { recordId: i.recordId, cardVersion: i.cardVersion, impact, urgency };
    },
  },
  input: z.object({ ...onRecord, impact: z.enum(LEVELS), urgency: z.enum(LEVELS) }),
  async run(ctx, actor, input) {
    const priority = priorityOf(ctx.catalog.priorityMatrix, input.impact, input.urgency);
    return changeIncident(ctx, actor, input.recordId, 'reprioritise', input, (incident) => {
      if (incident.impact === input.impact && incident.urgency === input.urgency) {
        throw new DomainError('INCIDENT.SAME_PRIORITY', { priority });
      }
      // The clock keeps its start and pauses; only the targets change.
      const sla = slaFor(ctx.catalog, incident.service, priority, incident.sla.startedAt, incident.sla.pauses);
      return {
        set: { impact: input.impact, urgency: input.urgency, priority, sla, majorIncident: incident.majorIncident || priority === 'P1' },
        before: { impact: incident.impact, urgency: incident.urgency, priority: incident.priority },
        after: { impact: input.impact, urgency: input.urgency, priority },
        line: { from: incident.priority, to: priority },
      };
    });
  },
});
