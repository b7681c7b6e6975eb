import { z } from 'zod';
import { defineHandler } from '../handler';
import { changeIncident } from './change-incident';
import { INCIDENT_IDS } from '../../src/views/incident-actions';

/**
 * The requester rates the service from the message telling them it is resolved. No card version:
 * a comment added since does not make the rating stale.
 */
export const rateIncident = defineHandler({
  id: INCIDENT_IDS.rate,
  description: 'Rate the service on a resolved incident (the requester, 1 to 5).',
  entry: { card: true, toInput: (i) => ({ recordId: i.recordId, rating: i.value }) },
  input: z.object({ recordId: z.string().trim().min(1), rating: z.coerce.number().int().min(1).max(5) }),
  run: (ctx, actor, input) =>
    changeIncident(ctx, actor, input.recordId, 'rate', input, (incident, _to, at) => ({
      set: { satisfaction: { rating: input.rating, at } },
      before: { satisfaction: incident.satisfaction?.rating ?? null },
      after: { satisfaction: input.rating },
      line: { rating: String(input.rating) },
    })),
});
