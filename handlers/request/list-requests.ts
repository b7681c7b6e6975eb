import { z } from 'zod';
import { DomainError } from '../../src/domain/domain-error';
import type { ServiceRequestDoc } from '../../src/models/service-request.model';
import type { Actor } from '../../src/people/people-directory';
import { REQUEST_IDS } from '../../src/views/request-actions';
import { requestCard } from '../../src/views/request-card';
import { defineHandler, result, type HandlerContext } from '../handler';
import { pagedListHandler } from '../paged-list-handler';
import { loadRequest, mayViewRequest } from './request-flow';

const cardFor = (ctx: HandlerContext, actor: Actor, request: ServiceRequestDoc) => requestCard(request, actor, ctx.catalog, { kind: 'person', id: actor.id, groups: actor.groups });

export const listMyRequests = pagedListHandler({
  id: REQUEST_IDS.mine,
  command: 'request',
  words: 'mine',
  description: 'Your open requests, newest first, a page at a time.',
  summary: 'help.request.mine',
  title: 'request.list.mine',
  find: (ctx, actor, page, size) => ctx.requests.requestedBy(actor.id, page, size),
  card: cardFor,
});

export const listMyApprovals = pagedListHandler({
  id: REQUEST_IDS.approvals,
  command: 'request',
  words: 'approvals',
  description: 'The requests waiting on your approval, oldest first, a page at a time.',
  summary: 'help.request.approvals',
  title: 'home.approvals',
  find: (ctx, actor, page, size) => ctx.requests.waitingOn(actor.id, page, size),
  card: cardFor,
});

export const listRequestQueue = pagedListHandler({
  id: REQUEST_IDS.queue,
  command: 'request',
  words: 'queue',
  description: "Your groups' requests with a task open, oldest first, a page at a time.",
  summary: 'help.request.queue',
  title: 'request.list.queue',
  requiredRole: 'agent',
  find: (ctx, actor, page, size) => ctx.requests.queueOf(actor.groups, page, size),
  card: cardFor,
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
    if (!input.public) return result([card]);
    const { text: _asked, ...shown } = card;
    return result([{ ...shown, fields: card.fields.slice(0, 1), context: [], actions: [] }]);
  },
});
