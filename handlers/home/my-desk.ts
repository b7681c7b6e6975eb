import { z } from 'zod';
import { t } from '../../src/i18n/translate';
import type { View } from '../../src/views/view-model';
import { defineHandler, result, type HandlerContext } from '../handler';
import { listGroupQueue, listMyIncidents } from '../incident/list-incidents';
import type { Actor } from '../../src/people/people-directory';

export const HOME_IDS = { desk: 'home.desk' } as const;

/** My open tickets; my groups' queue for agents; what waits on my approval. */
export const myDesk = defineHandler({
  id: HOME_IDS.desk,
  description: 'Your desk: your open tickets, your groups\' queue, and what waits on your approval.',
  entry: { home: true },
  input: z.object({}),
  async run(ctx: HandlerContext, actor: Actor) {
    const agent = actor.roles.includes('agent') || actor.roles.includes('admin');
    const [mine, queue] = await Promise.all([listMyIncidents.run(ctx, actor, { page: 1 }), agent ? listGroupQueue.run(ctx, actor, { page: 1 }) : undefined]);
    const views: View[] = [...mine.views];
    if (queue) {
      // An incident in both lists (reported for one's own group) is shown once: under "mine".
      const reported = new Set(views.flatMap((v) => (v.kind === 'list' ? v.items.map((i) => i.recordId) : [])));
      views.push(...queue.views.map((v) => (v.kind === 'list' ? { ...v, items: v.items.filter((i) => !reported.has(i.recordId)) } : v)));
    }
    // Approvals arrive with service requests and changes; until then the list is honestly empty.
    views.push({ kind: 'list', title: t(actor.locale, 'home.approvals'), empty: t(actor.locale, 'home.noApprovals'), items: [] });
    return result(views);
  },
});
