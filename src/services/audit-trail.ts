import type { Model } from 'mongoose';
import type { AuditEventDoc } from '../models/audit-event.model';
import { recordRefusal, recordSideEvent, type AuditEntry } from './audit-log';

/**
 * The audit trail's entries outside a record's hash chain, for handlers: what happened to a record
 * without changing it. Changes themselves are audited by the audited update (audited-change.ts).
 */
export class AuditTrail {
  constructor(private readonly events: Model<AuditEventDoc>) {}

  /** Something that happened to a record without changing it (a declined page). */
  sideEvent(entry: AuditEntry): Promise<void> {
    return recordSideEvent(this.events, entry);
  }

  /** Someone tried `entry.action` and was refused for `reason`. */
  refusal(entry: AuditEntry, reason: string): Promise<void> {
    return recordRefusal(this.events, entry, reason);
  }
}
