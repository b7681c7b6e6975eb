import { Schema } from 'mongoose';
import type { ProblemState } from '../domain/problem-lifecycle';
import { auditedRecordFields, commentSchema, type CommentDoc } from './shared-schemas';

export interface ProblemDoc {
  /** The human number (INC0001001): claimed once, it is the record's key. */
  _id: string;
  number: string;
  title: string;
  description: string;
  service: string;
  state: ProblemState;
  linkedIncidents: string[];
  rootCause?: string | null;
  workaround?: string | null;
  knownError: boolean;
  fixChange?: string | null;
  ownerId?: string | null;
  assignmentGroup: string;
  comments: CommentDoc[];
  version: number;
  auditHead: string;
  createdAt: Date;
  updatedAt: Date;
}

export const problemSchema = new Schema<ProblemDoc>(
  {
    _id: String,
    number: { type: String, required: true },
    title: { type: String, required: true },
    description: { type: String, default: '' },
    service: { type: String, required: true },
    state: { type: String, required: true },
    linkedIncidents: [String],
    rootCause: String,
    workaround: String,
    knownError: { type: Boolean, default: false },
    fixChange: String,
    ownerId: String,
    assignmentGroup: { type: String, required: true },
    comments: [commentSchema],
    ...auditedRecordFields,
  },
  { timestamps: true, versionKey: false, minimize: false },
);

problemSchema.index({ linkedIncidents: 1 });
problemSchema.index({ state: 1, service: 1 });
problemSchema.index({ knownError: 1, service: 1 });
