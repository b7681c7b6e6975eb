import { Schema } from 'mongoose';

export type RecordKind = 'incident' | 'request' | 'problem' | 'change' | 'knowledge';

/**
 * Who did what to which record, when, before → after. Append-only: a change event at `seq`
 * carries the hash of the event before it, and the record keeps the newest hash as `auditHead`,
 * so an edited, removed or inserted event is detected by `npm run audit:verify`.
 * Inserting the event under its _id `<recordId>:<seq>` is also what claims the change:
 * of two writers who saw the same version, only one can insert the next event.
 * A refusal (someone tried what they may not) is recorded too, outside the chain (`seq` 0).
 */
export interface AuditEventDoc {
  /** `<recordId>:<seq>` for changes, `<recordId>:event:<id>` for events outside the chain (refusals, declined pages). */
  _id: string;
  recordKind: RecordKind;
  recordId: string;
  recordNumber: string;
  seq: number;
  action: string;
  actorId: string;
  actorName: string;
  at: Date;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  prevHash: string;
  hash: string;
  /** The record update this event announces, as extended JSON, so a change whose writer died can be rolled forward. */
  update?: string;
  /** The server's clock when the event was written (`at` is the actor's business time). */
  writtenAt?: Date;
  /** The platform request that made the change (`slack:<key>`), so a replay of it is recognised. */
  requestKey?: string;
}

export const auditEventSchema = new Schema<AuditEventDoc>(
  {
    _id: String,
    recordKind: { type: String, required: true },
    recordId: { type: String, required: true },
    recordNumber: { type: String, required: true },
    seq: { type: Number, required: true },
    action: { type: String, required: true },
    actorId: { type: String, required: true },
    actorName: { type: String, required: true },
    at: { type: Date, required: true },
    before: { type: Schema.Types.Mixed, default: {} },
    after: { type: Schema.Types.Mixed, default: {} },
    prevHash: { type: String, default: '' },
    hash: { type: String, default: '' },
    update: String,
    writtenAt: Date,
    requestKey: String,
  },
  { versionKey: false, minimize: false },
);

auditEventSchema.index({ recordId: 1, seq: 1 });
auditEventSchema.index({ actorId: 1, at: -1 });
auditEventSchema.index({ writtenAt: 1 }); // rolling forward changes interrupted by a crash
