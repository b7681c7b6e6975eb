import { Schema } from 'mongoose';
import type { ChangeOutcome, ChangeState, ChangeType } from '../domain/change-lifecycle';
import type { Level } from '../domain/priority';
import { auditedRecordFields, commentSchema, type CommentDoc } from './shared-schemas';

export interface ApprovalDoc {
  approverId: string;
  approverName: string;
  decision: 'approved' | 'rejected';
  comment?: string;
  at: Date;
}

const approvalSchema = new Schema<ApprovalDoc>(
  { approverId: String, approverName: String, decision: String, comment: String, at: Date },
  { _id: false },
);

export interface ChangeDoc {
  /** The human number (INC0001001): claimed once, it is the record's key. */
  _id: string;
  number: string;
  title: string;
  description: string;
  type: ChangeType;
  risk: Level;
  state: ChangeState;
  service: string;
  affectedItems: string[];
  plan: string;
  backoutPlan: string;
  windowStart?: Date | null;
  windowEnd?: Date | null;
  requesterId: string;
  requesterName: string;
  assigneeId?: string | null;
  approvalGroup?: string | null;
  approvalsNeeded: number;
  approvals: ApprovalDoc[];
  outcome?: ChangeOutcome | null;
  fixesProblem?: string | null;
  comments: CommentDoc[];
  version: number;
  auditHead: string;
  createdAt: Date;
  updatedAt: Date;
}

export const changeSchema = new Schema<ChangeDoc>(
  {
    _id: String,
    number: { type: String, required: true },
    title: { type: String, required: true },
    description: { type: String, default: '' },
    type: { type: String, required: true },
    risk: { type: String, required: true },
    state: { type: String, required: true },
    service: { type: String, required: true },
    affectedItems: [String],
    plan: { type: String, default: '' },
    backoutPlan: { type: String, default: '' },
    windowStart: Date,
    windowEnd: Date,
    requesterId: { type: String, required: true },
    requesterName: String,
    assigneeId: String,
    approvalGroup: String,
    approvalsNeeded: { type: Number, default: 0 },
    approvals: [approvalSchema],
    outcome: String,
    fixesProblem: String,
    comments: [commentSchema],
    ...auditedRecordFields,
  },
  { timestamps: true, versionKey: false, minimize: false },
);

changeSchema.index({ state: 1, windowStart: 1 }); // the change calendar and conflict checks
changeSchema.index({ affectedItems: 1, windowStart: 1 });
changeSchema.index({ requesterId: 1, state: 1 });
