import { setTimeout as sleep } from 'node:timers/promises';
import { Types } from 'mongoose';
import type { IncidentState } from '../domain/incident-lifecycle';
import type { IncidentDoc } from '../models/incident.model';
import type { Models } from '../models/models';
import type { AuditActor } from './audit-log';
import { applyAuditedChange, firstEvent, type AuditedChange } from './audited-change';
import { nextNumber, SERIES } from './number-series';
import { claimKey, recordIdForKey, releaseKey } from './record-keys';

export type NewIncident = Omit<IncidentDoc, '_id' | 'number' | 'version' | 'auditHead' | 'createdAt' | 'updatedAt'>;

/** How long a duplicate report waits for the first one to finish creating its incident. */
const DUPLICATE_WAIT_MS = 5_000;
/** A dedupe claim with no incident after this long belongs to a process that died mid-create. */
const ABANDONED_CLAIM_MS = 30_000;

/** Data access for incidents: every change goes through the audited, claimed update. */
export class IncidentRecords {
  constructor(private readonly models: Models) {}

  /**
   * Creates the incident, or returns the one an earlier try with the same dedupe key created.
   * Order: dedupe claim, number claim, first audit event, the incident itself.
   */
  async create(draft: NewIncident, actor: AuditActor, at: Date): Promise<{ incident: IncidentDoc; created: boolean }> {
    const { RecordKey, AuditEvent, Incident, Counter } = this.models;
    const _id = new Types.ObjectId();
    const dedupe = `dedupe:${draft.dedupeKey}`;
    while (!(await claimKey(RecordKey, dedupe, _id.toHexString()))) {
      const existing = await this.waitForDuplicate(dedupe);
      if (existing) return { incident: existing, created: false };
    }
    const number = await nextNumber(Counter, RecordKey, SERIES.incident, _id.toHexString());
    const { event, version, auditHead } = firstEvent('incident', _id, number, actor, at, {
      title: draft.title,
      service: draft.service,
      priority: draft.priority,
      state: draft.state,
    });
    const incident: IncidentDoc = { ...draft, _id, number, version, auditHead, createdAt: at, updatedAt: at };
    // The event first: a record never exists without the start of its audit trail.
    await AuditEvent.collection.insertOne(event as never);
    await Incident.collection.insertOne(incident);
    return { incident, created: true };
  }

  /** The incident holding a dedupe claim, once it exists; null when the claim was abandoned (and is now released). */
  private async waitForDuplicate(dedupe: string): Promise<IncidentDoc | null> {
    const deadline = Date.now() + DUPLICATE_WAIT_MS;
    for (;;) {
      const claim = await this.models.RecordKey.findById(dedupe).lean();
      if (!claim) return null; // released meanwhile: claim again
      const incident = await this.findById(claim.recordId);
      if (incident) return incident;
      if (Date.now() - claim.at.getTime() > ABANDONED_CLAIM_MS) {
        await releaseKey(this.models.RecordKey, dedupe, claim.recordId);
        return null;
      }
      if (Date.now() > deadline) throw new Error(`the report ${dedupe} is still being created by another request`);
      await sleep(50);
    }
  }

  change(change: Omit<AuditedChange<IncidentDoc>, 'kind'>): Promise<IncidentDoc> {
    return applyAuditedChange(this.models.Incident, this.models.AuditEvent, { ...change, kind: 'incident' });
  }

  findById(id: string): Promise<IncidentDoc | null> {
    if (!Types.ObjectId.isValid(id)) return Promise.resolve(null);
    return this.models.Incident.findById(id).lean<IncidentDoc>().exec();
  }

  async findByNumber(number: string): Promise<IncidentDoc | null> {
    const id = await recordIdForKey(this.models.RecordKey, `number:${number.trim().toUpperCase()}`);
    return id ? this.findById(id) : null;
  }

  listByRequester(requesterId: string, states: readonly IncidentState[], limit: number): Promise<IncidentDoc[]> {
    return this.models.Incident.find({ requesterId, state: { $in: [...states] } })
      .sort({ createdAt: -1 })
      .limit(limit)
      .lean<IncidentDoc[]>()
      .exec();
  }

  listByGroups(groups: readonly string[], states: readonly IncidentState[], limit: number): Promise<IncidentDoc[]> {
    return this.models.Incident.find({ assignmentGroup: { $in: [...groups] }, state: { $in: [...states] } })
      .sort({ priority: 1, createdAt: 1 })
      .limit(limit)
      .lean<IncidentDoc[]>()
      .exec();
  }
}
