import { z } from 'zod';
import { closePause, slaFor } from '../../src/services/incident-sla';
import { onRecord } from './record-input';
import { defineHandler } from '../handler';
import { changeIncident } from './change-incident';
import { INCIDENT_IDS } from '../../src/views/incident-actions';

export const resumeIncident = defineHandler({
  id: INCIDENT_IDS.resume,
  entry: { card: true },
  description: 'Resume an incident on hold; its resolution clock runs again.',
  input: z.object(onRecord),
  run: (ctx, actor, input) =>
    changeIncident(ctx, actor, input.recordId, 'resume', input, (incident, to, at) => {
      const pauses = closePause(incident.sla.pauses, at);
      const sla = slaFor(ctx.catalog, incident.service, incident.priority, incident.sla.startedAt, pauses);
      return {
        set: { state: to, holdReason: null, sla },
        before: { state: incident.state, holdReason: incident.holdReason ?? null },
        after: { state: to },
        line: {},
      };
    }),
});
