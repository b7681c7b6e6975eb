import { z } from 'zod';
import { REQUEST_IDS } from '../../src/views/request-actions';
import { defineHandler } from '../handler';
import { authoriseRequestAction, changeRequest, requestUpdated } from './request-flow';

export const withdrawRequest = defineHandler({
  id: REQUEST_IDS.withdraw,
  description: 'Withdraw a request that is waiting for approval or being fulfilled: everyone on it is told.',
  entry: { card: true, toInput: (i) => ({ recordId: i.recordId, reason: i.form?.reason }) },
  input: z.object({ recordId: z.string().min(1), reason: z.string().trim().max(1000).optional() }),
  async run(ctx, actor, input) {
    const { before, after } = await changeRequest(ctx, actor, input.recordId, async (request) => {
      // Decided or withdrawn meanwhile (a vote racing this click): the lifecycle says what is possible now.
      await authoriseRequestAction(ctx, actor, request, 'cancel');
      return {
        action: 'cancel',
        set: { state: 'cancelled', cancelReason: input.reason ?? null },
        before: { state: request.state },
        after: { state: 'cancelled', ...(input.reason ? { reason: input.reason } : {}) },
      };
    });
    const told = before.version === after.version ? undefined : { key: 'request.told.cancelled' as const, reason: 'request.cancelled', params: { number: after.number, title: after.title, name: actor.name } };
    // The requester who withdrew it needs no message about it.
    return requestUpdated(ctx, actor, after, after.requesterId === actor.id ? undefined : told);
  },
});
