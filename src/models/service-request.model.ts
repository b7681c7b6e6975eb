import { Schema } from 'mongoose';
import type { Approver, StepKind } from '../domain/approval-rules';
import type { Priority } from '../domain/priority';
import type { IncidentSla } from './incident.model';
import type { RequestState } from '../domain/service-request-lifecycle';
import { auditedRecordFields } from './shared-schemas';

export interface StepVoteDoc {
  approverId: string;
  approverName: string;
  onBehalfOfName?: string;
  decision: 'approved' | 'rejected';
  comment?: string;
  at: Date;
}

/** One step of the request's approval: who decides, how many approvals decide it, and how it ended. */
export interface ApprovalStepDoc {
  kind: StepKind;
  name: string;
  approvers: Approver[];
  need: number;
  /** Asked of everyone (`all`): any rejection rejects it. */
  all?: boolean;
  /** The votes cast on the step, as of this version of the request (each is also its own claim, below). */
  votes: StepVoteDoc[];
  outcome?: 'approved' | 'rejected';
  /** When the step became the one to decide: its deadline counts from then. */
  startedAt?: Date;
  decidedAt?: Date;
  /** Who was added when it passed its deadline undecided. */
  escalatedTo?: string;
}

export interface FulfilmentTaskDoc {
  name: string;
  group: string;
  /** Starts with the task before it rather than after it. */
  parallel: boolean;
  state: 'waiting' | 'open' | 'done';
  doneById?: string;
  doneByName?: string;
  doneAt?: Date;
}

/** The request's SLA clocks, fixed when it is submitted (a request is never on hold). */
export type RequestSlaDoc = Omit<IncidentSla, 'pauses'>;

export interface ServiceRequestDoc {
  /** The human number (REQ0001001): claimed once, it is the record's key. */
  _id: string;
  number: string;
  catalogItem: string;
  /** The catalog item's name when it was asked for. */
  title: string;
  /** The catalog form's answers, by field id (scalars and lists of strings only). */
  answers: Record<string, string | string[]>;
  state: RequestState;
  requesterId: string;
  requesterName: string;
  fulfilmentGroup: string;
  priority: Priority;
  sla: RequestSlaDoc;
  /** The first response by someone it waits on (a vote, taking it, a task done): it stops the response clock. */
  respondedAt?: Date | null;
  /** The fulfiller who took it. */
  assigneeId?: string | null;
  assigneeName?: string | null;
  steps: ApprovalStepDoc[];
  /** The step being decided (steps.length once all are approved). */
  currentStep: number;
  tasks: FulfilmentTaskDoc[];
  /** Who rejected it and why; why it was withdrawn. */
  rejection?: { byName: string; reason: string } | null;
  cancelReason?: string | null;
  fulfilledAt?: Date | null;
  rating?: number | null;
  dedupeKey: string;
  /** Made by opsdesk on first start to show how it works (src/samples): removed by `npm run samples:remove`. */
  sample?: boolean;
  version: number;
  auditHead: string;
  createdAt: Date;
  updatedAt: Date;
}

export const serviceRequestSchema = new Schema<ServiceRequestDoc>(
  {
    _id: String,
    number: { type: String, required: true },
    catalogItem: { type: String, required: true },
    title: { type: String, required: true },
    answers: { type: Schema.Types.Mixed, default: {} },
    state: { type: String, required: true },
    requesterId: { type: String, required: true },
    requesterName: String,
    fulfilmentGroup: { type: String, required: true },
    priority: { type: String, required: true },
    sla: { startedAt: Date, respondMinutes: Number, resolveMinutes: Number, calendarKey: String, responseDueAt: Date, resolutionDueAt: Date },
    respondedAt: Date,
    assigneeId: String,
    assigneeName: String,
    steps: { type: Schema.Types.Mixed, default: [] },
    currentStep: { type: Number, default: 0 },
    tasks: { type: Schema.Types.Mixed, default: [] },
    rejection: Schema.Types.Mixed,
    cancelReason: String,
    fulfilledAt: Date,
    rating: Number,
    dedupeKey: { type: String, required: true },
    sample: Boolean,
    ...auditedRecordFields,
  },
  { timestamps: true, versionKey: false, minimize: false },
);

serviceRequestSchema.index({ dedupeKey: 1 }, { unique: true });

/**
 * One approver's decision on one step (`REQ0001001:0:<person>`): inserting it is the vote's claim,
 * so a second click by the same person is refused and votes cast at the same moment are all kept.
 */
export interface ApprovalVoteDoc extends StepVoteDoc {
  _id: string;
  recordId: string;
  step: number;
  /** The platform request that cast it: its replay after a crash goes on with it instead of being refused. */
  requestKey?: string;
}

export const approvalVoteSchema = new Schema<ApprovalVoteDoc>(
  { _id: String, recordId: String, step: Number, approverId: String, approverName: String, onBehalfOfName: String, decision: String, comment: String, at: Date, requestKey: String },
  { versionKey: false },
);

export const voteId = (recordId: string, step: number, approverId: string) => `${recordId}:${step}:${approverId}`;
