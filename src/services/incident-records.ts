import { Types } from 'mongoose';
import type { IncidentState } from '../domain/incident-lifecycle';
import type { IncidentDoc } from '../models/incident.model';
import type { Models } from '../models/models';
import { applyAuditedChange, firstEvent, type AuditedChange } from './audited-change';
import type { AuditActor } from './audit-log';
import { isDuplicateKey, nextNumber, SERIES } from './number-series';

export type NewIncident = Omit<IncidentDoc, '_id' | 'number' | 'version' | 'auditHead' | 'createdAt' | 'updatedAt'>;

/** Data access for incidents: every change goes through the audited, conditional update. */
export class IncidentRecords {
  constructor(private readonly models: Models) {}

  /** Creates the incident, or returns the one an earlier try with the same dedupe key created. */
  async create(draft: NewIncident, actor: AuditActor, at: Date): Promise<{ incident: IncidentDoc; created: boolean }> {
    const existing = await this.findByDedupeKey(draft.dedupeKey);
    if (existing) return { incident: existing, created: false };

    const _id = new Types.ObjectId();
    const number = await nextNumber(this.models.Counter, this.models.NumberClaim, SERIES.incident);
    const { event, version, auditHead } = firstEvent('incident', _id, number, actor, at, {
      title: draft.title,
      service: draft.service,
      priority: draft.priority,
      state: draft.state,
    });
    const incident: IncidentDoc = { ...draft, _id, number, version, auditHead, createdAt: at, updatedAt: at };
    // The event first: a record never exists without the start of its audit trail.
    await this.models.AuditEvent.collection.insertOne(event);
    try {
      await this.models.Incident.collection.insertOne(incident);
    } catch (error) {
      await this.models.AuditEvent.deleteOne({ key: event.key });
      // The same report arrived twice at once: the other try won; answer with its incident.
      const winner = isDuplicateKey(error) ? await this.findByDedupeKey(draft.dedupeKey) : null;
      if (winner) return { incident: winner, created: false };
      throw error;
    }
    return { incident, created: true };
  }

  change(change: Omit<AuditedChange<IncidentDoc>, 'kind'>): Promise<IncidentDoc> {
    return applyAuditedChange(this.models.Incident, this.models.AuditEvent, { ...change, kind: 'incident' });
  }

  findById(id: string): Promise<IncidentDoc | null> {
    if (!Types.ObjectId.isValid(id)) return Promise.resolve(null);
    return this.models.Incident.findById(id).lean<IncidentDoc>().exec();
  }

  findByNumber(number: string): Promise<IncidentDoc | null> {
    return this.models.Incident.findOne({ number: number.toUpperCase() }).lean<IncidentDoc>().exec();
  }

  findByDedupeKey(dedupeKey: string): Promise<IncidentDoc | null> {
    return this.models.Incident.findOne({ dedupeKey }).lean<IncidentDoc>().exec();
  }

  listByRequester(requesterId: string, states: readonly IncidentState[], limit: number): Promise<IncidentDoc[]> {
    return this.models.Incident.find({ requesterId, state: { $in: [...states] } })
      .sort({ createdAt: -1 })
      .limit(limit)
      .lean<IncidentDoc[]>()
      .exec();
  }

  listByGroups(groups: readonly string[], states: readonly IncidentState[], limit: number): Promise<IncidentDoc[]> {
    return this.models.Incident.find({ assignmentGroup: { $in: groups }, state: { $in: [...states] } })
      .sort({ priority: 1, createdAt: 1 })
      .limit(limit)
      .lean<IncidentDoc[]>()
      .exec();
  }
}
