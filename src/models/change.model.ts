import { Schema } from 'mongoose';
import type { ChangeOutcome, ChangeState, ChangeType } from '../domain/change-lifecycle';
import type { Level } from '../domain/priority';
import type { ApprovalStepDoc } from './service-request.model';
import { auditedRecordFields } from './shared-schemas';

/** Another change on the same or a related configuration item in an overlapping window, as found when this one was submitted. */
export interface CollisionDoc {
  number: string;
  title: string;
  state: ChangeState;
  /** The configuration item they share, or this change's item the other's is related to. */
  item: string;
}

export interface ChangeDoc {
  /** The human number (CHG0001001): claimed once, it is the record's key. */
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
  testPlan: string;
  windowStart: Date;
  windowEnd: Date;
  requesterId: string;
  requesterName: string;
  steps: ApprovalStepDoc[];
  currentStep: number;
  collisions: CollisionDoc[];
  /** The freezes its window falls in (their names), and the change manager who overrode them. */
  freezes: string[];
  freezeOverride?: { byName: string; at: Date } | null;
  rejection?: { byName: string; reason: string } | null;
  outcome?: ChangeOutcome | null;
  outcomeNotes?: string | null;
  dedupeKey: string;
  /** Made by opsdesk on first start to show how it works (src/samples): removed by `npm run samples:remove`. */
  sample?: boolean;
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
    testPlan: { type: String, default: '' },
    windowStart: Date,
    windowEnd: Date,
    requesterId: { type: String, required: true },
    requesterName: String,
    steps: { type: Schema.Types.Mixed, default: [] },
    currentStep: { type: Number, default: 0 },
    collisions: { type: Schema.Types.Mixed, default: [] },
    freezes: [String],
    freezeOverride: Schema.Types.Mixed,
    rejection: Schema.Types.Mixed,
    outcome: String,
    outcomeNotes: String,
    dedupeKey: { type: String, required: true },
    sample: Boolean,
    ...auditedRecordFields,
  },
  { timestamps: true, versionKey: false, minimize: false },
);

changeSchema.index({ dedupeKey: 1 }, { unique: true });
// The dashboard's open changes: no list holds all of them (a change's lists are per item, requester, approver).
changeSchema.index({ state: 1 });
