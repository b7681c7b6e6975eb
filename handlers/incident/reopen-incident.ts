import { z } from 'zod';
import { defineHandler } from '../handler';
import { changeIncident } from './change-incident';
import { INCIDENT_IDS } from '../../src/views/incident-actions';

export const reopenIncident = defineHandler({
  id: INCIDENT_IDS.reopen,
  entry: { form: true },
  description: 'Reopen a resolved incident that is not fixed after all.',
  input: z.object({ recordId: z.string().min(1), reason: z.string().trim().min(1).max(1000) }),
  run: (ctx, actor, input) =>
    changeIncident(ctx, actor, input.recordId, 'reopen', input, (incident, to, at) => ({
      set: {
        state: to,
        resolvedAt: null,
        resolutionCode: null,
        reopenCount: incident.reopenCount + 1,
        comments: [...incident.comments, { authorId: actor.id, authorName: actor.name, text: input.reason, at }],
      },
      before: { state: incident.state, resolutionCode: incident.resolutionCode ?? null },
      after: { state: to, reason: input.reason },
      line: { reason: input.reason },
    })),
});
