import type { RequestAction } from '../domain/service-request-lifecycle';
import { OPEN_REQUEST_STATES } from '../domain/service-request-lifecycle';
import { insertOnce } from '../db/insert-once';
import type { Models } from '../models/models';
import { voteId, type ApprovalVoteDoc, type ServiceRequestDoc } from '../models/service-request.model';
import type { AuditActor } from './audit-log';
import { applyAuditedChange, type AuditedChange } from './audited-change';
import { SERIES } from './number-series';
import { OpenRecordLists, type RecordPage } from './open-record-lists';
import { createRecord } from './record-creation';
import { RecordLists } from './record-lists';

export type NewRequest = Omit<ServiceRequestDoc, '_id' | 'number' | 'version' | 'auditHead' | 'createdAt' | 'updatedAt'>;

/** The lists an open request is in: its requester's, those of its current step's approvers yet to vote, and its fulfilment groups'. */
export const REQUEST_LISTS = {
  requester: (personId: string) => `request.requester:${personId}`,
  approver: (personId: string) => `request.approver:${personId}`,
  group: (group: string) => `request.group:${group}`,
} as const;

const OPEN = new Set<string>(OPEN_REQUEST_STATES);

export function requestListsOf(request: ServiceRequestDoc): string[] {
  if (!OPEN.has(request.state)) return [];
  const lists = [REQUEST_LISTS.requester(request.requesterId)];
  if (request.state === 'awaiting_approval') {
    const step = request.steps[request.currentStep];
    const voted = new Set((step?.votes ?? []).map((v) => v.approverId));
    for (const approver of step?.approvers ?? []) if (!voted.has(approver.id)) lists.push(REQUEST_LISTS.approver(approver.id));
  }
  if (request.state === 'in_fulfilment') {
    for (const task of request.tasks) if (task.state === 'open') lists.push(REQUEST_LISTS.group(task.group));
  }
  return [...new Set(lists)];
}

/**
 * Data access for service requests: created under a claimed number, changed only by the audited,
 * claimed update, and listed by requester, approver and fulfilment group (record lists, so a list
 * costs its length). Each vote is its own claim (`approval_votes`), so votes cast at once all count.
 */
export class RequestRecords {
  private readonly lists: OpenRecordLists<ServiceRequestDoc>;

  constructor(
    private readonly models: Models,
    private readonly nowMs: () => number = Date.now,
    /** Told after a request is created or changed (its approval deadline is set this way). */
    private readonly observe: (request: ServiceRequestDoc, before?: ServiceRequestDoc) => Promise<void> = async () => {},
  ) {
    this.lists = new OpenRecordLists(new RecordLists(models, () => new Date(this.nowMs())), (number) => this.findById(number), requestListsOf);
  }

  /** Creates the request, or returns the one an earlier try with the same dedupe key created. */
  async create(draft: NewRequest, actor: AuditActor, at: Date, idempotent: boolean): Promise<{ request: ServiceRequestDoc; created: boolean }> {
    const { record, created } = await createRecord<ServiceRequestDoc>({
      records: this.models.ServiceRequest,
      models: this.models,
      kind: 'request',
      series: SERIES.request,
      summary: { title: draft.title, catalogItem: draft.catalogItem, state: draft.state },
      ...(idempotent ? { dedupeKey: draft.dedupeKey } : {}),
      actor,
      at,
      nowMs: this.nowMs,
      build: (number, version, auditHead) => ({ ...draft, _id: number, number, version, auditHead, createdAt: at, updatedAt: at }),
      findById: (number) => this.findById(number),
    });
    // A retry's first try may have died before listing it; listing twice changes nothing.
    await this.lists.place(record);
    if (created) await this.observe(record);
    return { request: record, created };
  }

  async change(change: Omit<AuditedChange<ServiceRequestDoc>, 'kind'> & { action: RequestAction }): Promise<ServiceRequestDoc> {
    const updated = await applyAuditedChange(this.models.ServiceRequest, this.models.AuditEvent, { ...change, kind: 'request' }, this.nowMs, (rolled) =>
      this.lists.place(rolled),
    );
    await this.lists.place(updated, change.seen);
    await this.observe(updated, change.seen);
    return updated;
  }

  /** Writes the request into the lists it is in now (a replayed request whose change landed before its process died). */
  relist(request: ServiceRequestDoc): Promise<void> {
    return this.lists.place(request);
  }

  /** By number (the record's key), as typed: `req0001001` finds REQ0001001. */
  findById(number: string): Promise<ServiceRequestDoc | null> {
    return this.models.ServiceRequest.findById(number.trim().toUpperCase()).lean<ServiceRequestDoc>().exec();
  }

  /** Claims the approver's vote on the step; false when they voted on it already. */
  castVote(vote: Omit<ApprovalVoteDoc, '_id'>): Promise<boolean> {
    return insertOnce(this.models.ApprovalVote, { ...vote, _id: voteId(vote.recordId, vote.step, vote.approverId) });
  }

  /** The approver's vote on the step, if any. */
  voteOf(recordId: string, step: number, approverId: string): Promise<ApprovalVoteDoc | null> {
    return this.models.ApprovalVote.findById(voteId(recordId, step, approverId)).lean<ApprovalVoteDoc>().exec();
  }

  /** Every vote cast on the request's step, read by `_id` (one lookup per approver). */
  async votesOn(request: ServiceRequestDoc, step: number): Promise<ApprovalVoteDoc[]> {
    const approvers = request.steps[step]?.approvers ?? [];
    const found = await Promise.all(approvers.map((a) => this.voteOf(request._id, step, a.id)));
    return found.filter((v): v is ApprovalVoteDoc => v !== null).sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime());
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
