import { Schema } from 'mongoose';
import type { RequestState } from '../domain/service-request-lifecycle';
import { auditedRecordFields, commentSchema, type CommentDoc } from './shared-schemas';

export interface ApprovalDoc {
  approverId: string;
  approverName: string;
  decision: 'approved' | 'rejected';
  comment?: string;
  at: Date;
}

export const approvalSchema = new Schema<ApprovalDoc>(
  { approverId: String, approverName: String, decision: String, comment: String, at: Date },
  { _id: false },
);

export interface FulfilmentTaskDoc {
  title: string;
  group: string;
  done: boolean;
  doneAt?: Date;
}

export interface ServiceRequestDoc {
  /** The human number (INC0001001): claimed once, it is the record's key. */
  _id: string;
  number: string;
  catalogItem: string;
  /** The catalog form's answers, by field id (scalars and lists of strings only). */
  answers: Record<string, string | string[]>;
  state: RequestState;
  requesterId: string;
  requesterName: string;
  fulfilmentGroup: string;
  assigneeId?: string | null;
  approvalRule: string;
  approvalsNeeded: number;
  approvals: ApprovalDoc[];
  tasks: FulfilmentTaskDoc[];
  resolutionDueAt?: Date | null;
  fulfilledAt?: Date | null;
  dedupeKey: string;
  comments: CommentDoc[];
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
    answers: { type: Schema.Types.Mixed, default: {} },
    state: { type: String, required: true },
    requesterId: { type: String, required: true },
    requesterName: String,
    fulfilmentGroup: { type: String, required: true },
    assigneeId: String,
    approvalRule: String,
    approvalsNeeded: { type: Number, default: 0 },
    approvals: [approvalSchema],
    tasks: [new Schema<FulfilmentTaskDoc>({ title: String, group: String, done: Boolean, doneAt: Date }, { _id: false })],
    resolutionDueAt: Date,
    fulfilledAt: Date,
    dedupeKey: { type: String, required: true },
    comments: [commentSchema],
    ...auditedRecordFields,
  },
  { timestamps: true, versionKey: false, minimize: false },
);

serviceRequestSchema.index({ dedupeKey: 1 }, { unique: true });
serviceRequestSchema.index({ requesterId: 1, state: 1 });
serviceRequestSchema.index({ fulfilmentGroup: 1, state: 1 });
serviceRequestSchema.index({ state: 1, resolutionDueAt: 1 });
