import { z } from 'zod';
import { onRecord } from './record-input';
import { defineHandler } from '../handler';
import { changeIncident } from './change-incident';
import { INCIDENT_IDS } from '../../src/views/incident-actions';

export const closeIncident = defineHandler({
  id: INCIDENT_IDS.close,
  entry: { card: true },
  description: 'Close a resolved incident: the requester confirms the fix (or an agent closes it).',
  input: z.object(onRecord),
  run: (ctx, actor, input) =>
    changeIncident(ctx, actor, input.recordId, 'close', input, (incident, to, at) => ({
      set: { state: to, closedAt: at },
      before: { state: incident.state },
      after: { state: to },
      line: {},
    })),
});
