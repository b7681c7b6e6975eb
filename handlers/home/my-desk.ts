import { z } from 'zod';
import { t } from '../../src/i18n/translate';
import type { View } from '../../src/views/view-model';
import { defineHandler, result, type HandlerContext } from '../handler';
import { listGroupQueue, listMyIncidents } from '../incident/list-incidents';
import type { Actor } from '../../src/people/people-directory';
import type { ServiceRequestDoc } from '../../src/models/service-request.model';
import { PAGE_SIZE, pagedList } from '../../src/views/paged-list';
import { REQUEST_IDS } from '../../src/views/request-actions';
import { requestCard } from '../../src/views/request-card';
import { CHANGE_IDS } from '../../src/views/change-actions';
import { changeCard } from '../../src/views/change-card';

export const HOME_IDS = { desk: 'home.desk' } as const;

/** My open tickets; my groups' queue for agents; the requests and changes waiting on my approval; my open requests. */
export const myDesk = defineHandler({
  id: HOME_IDS.desk,
  description: 'Your desk: your open tickets, your groups\' queue, what waits on your approval and your open requests.',
  entry: { home: true },
  input: z.object({}),
  async run(ctx: HandlerContext, actor: Actor) {
    const agent = actor.roles.includes('agent') || actor.roles.includes('admin');
    const [mine, queue, approvals, changes, requests] = await Promise.all([
      listMyIncidents.run(ctx, actor, { page: 1 }),
      agent ? listGroupQueue.run(ctx, actor, { page: 1 }) : undefined,
      ctx.requests.waitingOn(actor.id, 0, PAGE_SIZE),
      ctx.changes.waitingOn(actor.id, 0, PAGE_SIZE),
      ctx.requests.requestedBy(actor.id, 0, PAGE_SIZE),
    ]);
    const cardFor = (r: ServiceRequestDoc) => requestCard(r, actor, ctx.catalog, { kind: 'person', id: actor.id, groups: actor.groups });
    // What waits on the person comes first: a platform with room for less shows that.
    const views: View[] = [
      pagedList(actor.locale, { title: t(actor.locale, 'home.approvals'), empty: t(actor.locale, 'home.noApprovals'), items: approvals.records.map(cardFor), page: 1, total: approvals.total, handlerId: REQUEST_IDS.approvals }),
    ];
    if (changes.total > 0) {
      const items = changes.records.map((c) => changeCard(c, actor, ctx.catalog, actor));
      views.push(pagedList(actor.locale, { title: t(actor.locale, 'change.list.approvals'), empty: '', items, page: 1, total: changes.total, handlerId: CHANGE_IDS.approvals }));
    }
    views.push(...mine.views);
    if (queue) {
      // An incident in both lists (reported for one's own group) is shown once: under "mine".
      const reported = new Set(mine.views.flatMap((v) => (v.kind === 'list' ? v.items.map((i) => i.recordId) : [])));
      views.push(...queue.views.map((v) => (v.kind === 'list' ? { ...v, items: v.items.filter((i) => !reported.has(i.recordId)) } : v)));
    }
    if (requests.total > 0) views.push(pagedList(actor.locale, { title: t(actor.locale, 'home.requests'), empty: '', items: requests.records.map(cardFor), page: 1, total: requests.total, handlerId: REQUEST_IDS.mine }));
    return result(views);
  },
});
