import { t } from '../../src/i18n/translate';
import type { ServiceRequestDoc } from '../../src/models/service-request.model';
import { REQUEST_IDS } from '../../src/views/request-actions';
import type { ApprovalFlow } from '../approval/approval-vote';
import type { HandlerContext } from '../handler';
import type { Milestone } from '../../src/views/request-announcements';
import { voteHandlers } from '../approval/vote-handlers';
import { authoriseRequestAction, changeRequest, loadRequest, mayViewRequest, openNextTasks, refuse, requestUpdated } from './request-flow';

/** The requester's message for the decision the request carries. */
function requestDecisionMilestone(ctx: HandlerContext, request: ServiceRequestDoc): Milestone | undefined {
  const params = { number: request.number, title: request.title };
  if (request.state === 'rejected' && request.rejection) {
    return { key: 'request.told.rejected', reason: 'request.rejected', params: { ...params, ...request.rejection, name: request.rejection.byName } };
  }
  if (request.state !== 'in_fulfilment') return undefined;
  const group = ctx.catalog.groups.get(request.fulfilmentGroup)?.name ?? request.fulfilmentGroup;
  return { key: 'request.told.approved', reason: 'request.approved', params: { ...params, group } };
}

/** How a service request is voted on: approved, its tasks start; rejected, the requester reads why. */
const REQUEST_VOTES: ApprovalFlow<ServiceRequestDoc> = {
  kind: 'request',
  deciding: 'awaiting_approval',
  mayView: mayViewRequest,
  notFound: 'REQUEST.NOT_FOUND',
  load: loadRequest,
  refuse: (ctx, actor, request, action, code, params) => refuse(ctx, actor, request, action, code, params),
  authorise: (ctx, actor, request, action, input) => authoriseRequestAction(ctx, actor, request, action, input),
  change: changeRequest,
  async decided(ctx, request, outcome, rejection) {
    const set = outcome === 'rejected' ? { state: 'rejected', rejection } : { state: 'in_fulfilment', tasks: openNextTasks(request.tasks) };
    return { set, milestone: requestDecisionMilestone(ctx, { ...request, ...set } as ServiceRequestDoc) };
  },
  // The first vote is the request's first response: its response clock stops.
  counted: (request, at) => (request.respondedAt ? {} : { respondedAt: at }),
  decisionMilestone: (ctx, request) => requestDecisionMilestone(ctx, request),
  updated: requestUpdated,
  stateName: (locale, state) => t(locale, `request.state.${state}` as Parameters<typeof t>[1]),
};

export const { approve: approveRequest, rejectForm: rejectRequestForm, reject: rejectRequest } = voteHandlers(REQUEST_VOTES, {
  noun: 'request',
  ids: { approve: REQUEST_IDS.approve, rejectForm: REQUEST_IDS.rejectForm, reject: REQUEST_IDS.reject },
  rejectTitle: 'request.form.reject',
});
