import { undecidedApprovers } from '../domain/approval-rules';
import type { RequestAction } from '../domain/service-request-lifecycle';
import { OPEN_REQUEST_STATES } from '../domain/service-request-lifecycle';
import type { Models } from '../models/models';
import type { ServiceRequestDoc } from '../models/service-request.model';
import type { AuditActor } from './audit-log';
import { ListedRecords, type NewRecordOf } from './listed-records';
import { SERIES } from './number-series';
import type { OpenRecord, RecordPage } from './open-record-lists';

export type NewRequest = NewRecordOf<ServiceRequestDoc>;

/**
 * The lists an open request is in: all open requests (for the timers' restore), its requester's,
 * those of its current step's approvers yet to vote, and its fulfilment groups'.
 */
export const REQUEST_LISTS = {
  open: 'request.open',
  requester: (personId: string) => `request.requester:${personId}`,
  approver: (personId: string) => `request.approver:${personId}`,
  group: (group: string) => `request.group:${group}`,
} as const;

const OPEN = new Set<string>(OPEN_REQUEST_STATES);

export function requestListsOf(request: ServiceRequestDoc): string[] {
  if (!OPEN.has(request.state)) return [];
  const lists = [REQUEST_LISTS.open, REQUEST_LISTS.requester(request.requesterId)];
  if (request.state === 'awaiting_approval') {
    for (const approver of undecidedApprovers(request.steps[request.currentStep])) lists.push(REQUEST_LISTS.approver(approver.id));
  }
  if (request.state === 'in_fulfilment') {
    for (const task of request.tasks) if (task.state === 'open') lists.push(REQUEST_LISTS.group(task.group));
  }
  return [...new Set(lists)];
}

/**
 * Data access for service requests: created under a claimed number, changed only by the audited,
 * claimed update, and listed by requester, approver and fulfilment group (record lists, so a list
 * costs its length). Their votes are ApprovalVotes'.
 */
export class RequestRecords extends ListedRecords<ServiceRequestDoc, RequestAction> {
  constructor(models: Models, nowMs: () => number = Date.now, observe?: (request: ServiceRequestDoc, before?: ServiceRequestDoc) => Promise<void>) {
    super(models, { records: models.ServiceRequest, kind: 'request', series: SERIES.request, listsOf: requestListsOf }, nowMs, observe);
  }

  /** Creates the request, or returns the one an earlier try with the same dedupe key created. */
  async create(draft: NewRequest, actor: AuditActor, at: Date, idempotent: boolean): Promise<{ request: ServiceRequestDoc; created: boolean }> {
    const { record, created } = await this.createRecord(draft, { title: draft.title, catalogItem: draft.catalogItem, state: draft.state }, actor, at, idempotent);
    return { request: record, created };
  }

  /** Every open request, as listed (read them with `current`). */
  allOpen(): Promise<OpenRecord[]> {
    return this.lists.open([REQUEST_LISTS.open], 'newest');
  }

  current(listed: readonly OpenRecord[]): Promise<ServiceRequestDoc[]> {
    return this.lists.current(listed);
  }

  /** A page (from 0) of the person's open requests, newest first. */
  requestedBy(personId: string, page: number, size: number): Promise<RecordPage<ServiceRequestDoc>> {
    return this.lists.page([REQUEST_LISTS.requester(personId)], 'newest', page, size);
  }

  /** A page (from 0) of the open requests with a task for these groups, oldest first. */
  queueOf(groups: readonly string[], page: number, size: number): Promise<RecordPage<ServiceRequestDoc>> {
    return this.lists.page(groups.map(REQUEST_LISTS.group), 'mostUrgent', page, size);
  }

  /** A page (from 0) of the requests whose current step waits on the person's vote, oldest first. */
  waitingOn(personId: string, page: number, size: number): Promise<RecordPage<ServiceRequestDoc>> {
    return this.lists.page([REQUEST_LISTS.approver(personId)], 'mostUrgent', page, size);
  }
}
