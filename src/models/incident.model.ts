import { Schema } from 'mongoose';
import type { IncidentState, ResolutionCode } from '../domain/incident-lifecycle';
import type { Level, Priority } from '../domain/priority';
import { commentSchema, pauseSchema, auditedRecordFields, type CommentDoc, type PauseDoc } from './shared-schemas';

export interface IncidentSla {
  startedAt: Date;
  respondMinutes: number;
  resolveMinutes: number;
  calendarKey: string;
  responseDueAt: Date | null;
  resolutionDueAt: Date | null;
  pauses: PauseDoc[];
}

/** Durations stored when they happen, so reports never need aggregation operators. */
export interface IncidentDurations {
  acknowledgeWallMinutes?: number;
  acknowledgeBusinessMinutes?: number;
  resolveWallMinutes?: number;
  resolveBusinessMinutes?: number;
  responseBreached?: boolean;
  resolutionBreached?: boolean;
}

export interface IncidentDoc {
  /** The human number (INC0001001): claimed once, it is the record's key. */
  _id: string;
  number: string;
  title: string;
  description: string;
  service: string;
  configurationItem?: string;
  impact: Level;
  urgency: Level;
  priority: Priority;
  state: IncidentState;
  majorIncident: boolean;
  assignmentGroup: string;
  assigneeId?: string | null;
  assigneeName?: string | null;
  requesterId: string;
  requesterName: string;
  source: { platform: string; permalink?: string };
  /** The reporting request's idempotency key (a platform message or submission id, else random): a retry finds the same incident. */
  dedupeKey: string;
  acknowledgedAt?: Date;
  acknowledgedById?: string;
  acknowledgedByName?: string;
  holdReason?: string | null;
  resolutionCode?: ResolutionCode | null;
  resolutionNotes?: string | null;
  resolvedAt?: Date | null;
  closedAt?: Date | null;
  reopenCount: number;
  /** The requester's rating of the service (1-5), given from the message telling them it is resolved. */
  satisfaction?: { rating: number; at: Date } | null;
  sla: IncidentSla;
  durations: IncidentDurations;
  comments: CommentDoc[];
  /** Made by opsdesk on first start to show how it works (src/samples): removed by `npm run samples:remove`. */
  sample?: boolean;
  version: number;
  auditHead: string;
  createdAt: Date;
  updatedAt: Date;
}

export const incidentSchema = new Schema<IncidentDoc>(
  {
    _id: String,
    number: { type: String, required: true },
    title: { type: String, required: true },
    description: { type: String, default: '' },
    service: { type: String, required: true },
    configurationItem: String,
    impact: { type: String, required: true },
    urgency: { type: String, required: true },
    priority: { type: String, required: true },
    state: { type: String, required: true },
    majorIncident: { type: Boolean, default: false },
    assignmentGroup: { type: String, required: true },
    assigneeId: String,
    assigneeName: String,
    requesterId: { type: String, required: true },
    requesterName: { type: String, required: true },
    source: { platform: String, permalink: String },
    dedupeKey: { type: String, required: true },
    acknowledgedAt: Date,
    acknowledgedById: String,
    acknowledgedByName: String,
    holdReason: String,
    resolutionCode: String,
    resolutionNotes: String,
    resolvedAt: Date,
    closedAt: Date,
    reopenCount: { type: Number, default: 0 },
    satisfaction: { rating: Number, at: Date },
    sla: {
      startedAt: Date,
      respondMinutes: Number,
      resolveMinutes: Number,
      calendarKey: String,
      responseDueAt: Date,
      resolutionDueAt: Date,
      pauses: [pauseSchema],
    },
    durations: {
      acknowledgeWallMinutes: Number,
      acknowledgeBusinessMinutes: Number,
      resolveWallMinutes: Number,
      resolveBusinessMinutes: Number,
      responseBreached: Boolean,
      resolutionBreached: Boolean,
    },
    comments: [commentSchema],
    sample: Boolean,
    ...auditedRecordFields,
  },
  { timestamps: true, versionKey: false, minimize: false },
);

incidentSchema.index({ dedupeKey: 1 }, { unique: true });
incidentSchema.index({ requesterId: 1, state: 1, createdAt: -1 }); // "my tickets"
incidentSchema.index({ assignmentGroup: 1, state: 1, priority: 1 }); // a group's queue
incidentSchema.index({ assigneeId: 1, state: 1 });
incidentSchema.index({ resolvedAt: 1 }); // reports over a period
// The dashboard's days: incidents opened or acknowledged within a window (with resolvedAt, one $or).
incidentSchema.index({ createdAt: 1 });
incidentSchema.index({ acknowledgedAt: 1 });
