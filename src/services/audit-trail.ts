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

  /**
   * Whether one of the record's latest changes (up to `lookBack`, by `_id`) was made by this
   * platform request: a replay of a request whose change landed before its process died.
   */
  async changedByRequest(recordId: string, version: number, requestKey: string, lookBack = 10): Promise<boolean> {
    for (let seq = version; seq > Math.max(1, version - lookBack); seq--) {
      const event = await this.events.findById(`${recordId}:${seq}`).lean();
      if (event?.requestKey === requestKey) return true;
    }
    return false;
  }

  /** Someone tried `entry.action` and was refused for `reason`. */
  refusal(entry: AuditEntry, reason: string): Promise<void> {
    return recordRefusal(this.events, entry, reason);
  }
}
