import { z } from 'zod';
import { REQUEST_IDS } from '../../src/views/request-actions';
import { defineHandler } from '../handler';
import { authoriseRequestAction, changeRequest, refuse, requestUpdated } from './request-flow';

/** The requester rates the service from the message telling them their request is ready. */
export const rateRequest = defineHandler({
  id: REQUEST_IDS.rate,
  description: 'Rate the service on a fulfilled request (the requester, 1 to 5).',
  entry: { card: true, toInput: (i) => ({ recordId: i.recordId, rating: i.value }) },
  input: z.object({ recordId: z.string().trim().min(1), rating: z.coerce.number().int().min(1).max(5) }),
  async run(ctx, actor, input) {
    const { after } = await changeRequest(ctx, actor, input.recordId, async (request) => {
      await authoriseRequestAction(ctx, actor, request, 'rate');
      // Their rating is theirs alone: an admin's role does not let them rate for them.
      if (request.requesterId !== actor.id) await refuse(ctx, actor, request, 'rate', 'TRANSITION.FORBIDDEN');
      return { action: 'rate', set: { rating: input.rating }, before: { rating: request.rating ?? null }, after: { rating: input.rating } };
    });
    return requestUpdated(ctx, actor, after);
  },
});
