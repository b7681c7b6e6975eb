import { z } from 'zod';
import { REQUEST_IDS } from '../../src/views/request-actions';
import { defineHandler } from '../handler';
import { holderOf } from '../../src/domain/request-holder';
import { authoriseRequestAction, changeRequest, refuse, requestUpdated } from './request-flow';

export const takeRequest = defineHandler({
  id: REQUEST_IDS.take,
  description: 'Take a request being fulfilled that nobody of your group has: it is yours, its response clock stops, its requester is told who has it.',
  entry: { card: true, toInput: (i) => ({ recordId: i.recordId }) },
  input: z.object({ recordId: z.string().min(1) }),
  async run(ctx, actor, input) {
    const { before, after } = await changeRequest(ctx, actor, input.recordId, async (request) => {
      // A member of one of its open tasks' groups (the lifecycle's fulfiller), while it is fulfilled.
      if (request.requesterId === actor.id) return refuse(ctx, actor, request, 'take', 'REQUEST.OWN_TAKE', { number: request.number });
      await authoriseRequestAction(ctx, actor, request, 'take');
      const holder = holderOf(request, ctx.catalog);
      if (holder === actor.id) return null;
      // Two fulfillers clicking at once: the first has it, the second is told who.
      if (holder) return refuse(ctx, actor, request, 'take', 'REQUEST.TAKEN', { name: request.assigneeName ?? holder });
      const at = ctx.now();
      return {
        action: 'take',
        set: { assigneeId: actor.id, assigneeName: actor.name, ...(request.respondedAt ? {} : { respondedAt: at }) },
        before: { assignee: request.assigneeName ?? null },
        after: { assignee: actor.name },
      };
    });
    const told = before.version === after.version ? undefined : { key: 'request.told.taken' as const, reason: `request.taken.${after.version}`, params: { number: after.number, title: after.title, name: actor.name } };
    return requestUpdated(ctx, actor, after, told);
  },
});
