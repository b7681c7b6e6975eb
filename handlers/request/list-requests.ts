import { z } from 'zod';
import { DomainError } from '../../src/domain/domain-error';
import { t } from '../../src/i18n/translate';
import type { MessageKey } from '../../src/i18n/messages.en';
import type { ServiceRequestDoc } from '../../src/models/service-request.model';
import type { Actor } from '../../src/people/people-directory';
import type { RecordPage } from '../../src/services/open-record-lists';
import { PAGE_SIZE, pagedList } from '../../src/views/paged-list';
import { REQUEST_IDS } from '../../src/views/request-actions';
import { requestCard } from '../../src/views/request-card';
import { defineHandler, result, type HandlerContext, type HandlerResult } from '../handler';
import { pageInput } from '../page-input';
import { loadRequest, mayViewRequest } from './request-flow';

/** One page of a list of requests, or a page of it typed after `/request <words>`. */
function requestListHandler(spec: {
  id: string;
  words: string;
  description: string;
  summary: MessageKey;
  title: MessageKey;
  requiredRole?: 'agent';
  find(ctx: HandlerContext, actor: Actor, page: number): Promise<RecordPage<ServiceRequestDoc>>;
}) {
  return defineHandler({
    id: spec.id,
    description: spec.description,
    entry: {
      commands: [{ command: 'request', words: spec.words, argument: { field: 'page', usage: 'page', optional: true }, summary: spec.summary }],
      card: true,
      toInput: pageInput.toInput,
    },
    input: pageInput.input,
    ...(spec.requiredRole ? { requiredRole: spec.requiredRole } : {}),
    async run(ctx, actor, input) {
      return requestList(ctx, actor, await spec.find(ctx, actor, input.page - 1), input.page, spec.title, spec.id);
    },
  });
}

/** One page of requests as a list, each card with what the reader may do, and the ways to its neighbours. */
function requestList(ctx: HandlerContext, actor: Actor, found: RecordPage<ServiceRequestDoc>, page: number, title: MessageKey, handlerId: string): HandlerResult {
  return result([
    pagedList(actor.locale, {
      title: t(actor.locale, title),
      empty: t(actor.locale, 'incident.list.empty'),
      items: found.records.map((r) => requestCard(r, actor, ctx.catalog, { kind: 'person', id: actor.id, groups: actor.groups })),
      page,
      total: found.total,
      handlerId,
    }),
  ]);
}

export const listMyRequests = requestListHandler({
  id: REQUEST_IDS.mine,
  words: 'mine',
  description: 'Your open requests, newest first, a page at a time.',
  summary: 'help.request.mine',
  title: 'request.list.mine',
  find: (ctx, actor, page) => ctx.requests.requestedBy(actor.id, page, PAGE_SIZE),
});

export const listMyApprovals = requestListHandler({
  id: REQUEST_IDS.approvals,
  words: 'approvals',
  description: 'The requests waiting on your approval, oldest first, a page at a time.',
  summary: 'help.request.approvals',
  title: 'home.approvals',
  find: (ctx, actor, page) => ctx.requests.waitingOn(actor.id, page, PAGE_SIZE),
});

export const listRequestQueue = requestListHandler({
  id: REQUEST_IDS.queue,
  words: 'queue',
  description: "Your groups' requests with a task open, oldest first, a page at a time.",
  summary: 'help.request.queue',
  title: 'request.list.queue',
  requiredRole: 'agent',
  find: (ctx, actor, page) => ctx.requests.queueOf(actor.groups, page, PAGE_SIZE),
});

export const viewRequest = defineHandler({
  id: 'request.show',
  description: 'Show a service request by its number (to those it concerns, agents and admins).',
  entry: { shows: /\bREQ\d{7}\b/g, toInput: (i) => ({ recordId: i.recordId ?? i.form?.recordId, public: i.public }) },
  input: z.object({ recordId: z.string().trim().min(1), public: z.boolean().optional() }),
  async run(ctx, actor, input) {
    const request = await loadRequest(ctx, input.recordId);
    if (!mayViewRequest(request, actor)) throw new DomainError('REQUEST.NOT_FOUND', { number: input.recordId });
    const card = requestCard(request, actor, ctx.catalog, { kind: 'person', id: actor.id, groups: actor.groups });
    // Shown where others read it (a mention's thread): its title and state only.
    return result([input.public ? { ...card, fields: card.fields.slice(0, 1), context: [], actions: [] } : card]);
  },
});
