import { z } from 'zod';
import { defineHandler } from '../handler';
import { changeIncident } from './change-incident';
import { INCIDENT_IDS } from '../../src/views/incident-actions';

export const closeIncident = defineHandler({
  id: INCIDENT_IDS.close,
  description: 'Close a resolved incident: the requester confirms the fix (or an agent closes it).',
  input: z.object({ recordId: z.string().min(1) }),
  run: (ctx, actor, input) =>
    changeIncident(ctx, actor, input.recordId, 'close', input, (incident, to, at) => ({
      set: { state: to, closedAt: at },
      before: { state: incident.state },
      after: { state: to },
      line: {},
    })),
});
