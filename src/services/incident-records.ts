import { setTimeout as sleep } from 'node:timers/promises';
import type { IncidentAction, IncidentState } from '../domain/incident-lifecycle';
import type { IncidentDoc } from '../models/incident.model';
import type { Models } from '../models/models';
import type { AuditActor } from './audit-log';
import { applyAuditedChange, firstEvent, type AuditedChange } from './audited-change';
import { isDuplicateKey } from '../db/duplicate-key';
import { retryWhileBusy } from '../db/retry-while-busy';
import { claimNextNumber, SERIES } from './number-series';
import { claimKey, releaseKey } from './record-keys';

export type NewIncident = Omit<IncidentDoc, '_id' | 'number' | 'version' | 'auditHead' | 'createdAt' | 'updatedAt'>;

/** How long a duplicate report waits for the first one to finish creating its incident. */
const DUPLICATE_WAIT_MS = 5_000;
/** A dedupe claim with no incident after this long belongs to a process that died mid-create. */
const ABANDONED_CLAIM_MS = 30_000;

/** Data access for incidents: every change goes through the audited, claimed update. */
/** Told after an incident is created or changed (the SLA and escalation timers are set this way). */
export type IncidentObserver = (incident: IncidentDoc, change: IncidentAction | 'create') => Promise<void>;

export class IncidentRecords {
  constructor(
    private readonly models: Models,
    private readonly observe: IncidentObserver = async () => {},
    /** Real time as the processes share it (the database server's clock), for when changes were written. */
    private readonly nowMs: () => number = Date.now,
  ) {}

  /**
   * Creates the incident, or returns the one an earlier try with the same dedupe key created.
   * 1. the first audit event `INC…:1`, whose insert claims the number;
   * 2. the dedupe key, when the caller gave one (`idempotent`), else nothing can retry with it;
   * 3. the incident itself.
   */
  async create(draft: NewIncident, actor: AuditActor, at: Date, idempotent = true): Promise<{ incident: IncidentDoc; created: boolean }> {
    const { RecordKey, AuditEvent, Incident, Counter } = this.models;
    const summary = { title: draft.title, service: draft.service, priority: draft.priority, state: draft.state };
    let first: ReturnType<typeof firstEvent> | undefined;
    const number = await claimNextNumber(Counter, SERIES.incident, async (candidate) => {
      first = firstEvent('incident', candidate, actor, at, summary, new Date(this.nowMs()));
      try {
        const event = first.event;
        await retryWhileBusy(() => AuditEvent.collection.insertOne(event as never));
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    });
    const { event, version, auditHead } = first as NonNullable<typeof first>;

    const dedupe = `dedupe:${draft.dedupeKey}`;
    while (idempotent && !(await claimKey(RecordKey, dedupe, number))) {
      const existing = await this.waitForDuplicate(dedupe);
      if (existing) {
        // The number was never shown to anyone: let it go.
        await retryWhileBusy(() => AuditEvent.deleteOne({ _id: event._id }));
        return { incident: existing, created: false };
      }
    }
    const incident: IncidentDoc = { ...draft, _id: number, number, version, auditHead, createdAt: at, updatedAt: at };
    await retryWhileBusy(() => Incident.collection.insertOne(incident as never));
    await this.observe(incident, 'create');
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

  async change(change: Omit<AuditedChange<IncidentDoc>, 'kind'> & { action: IncidentAction }): Promise<IncidentDoc> {
    const updated = await applyAuditedChange(this.models.Incident, this.models.AuditEvent, { ...change, kind: 'incident' }, this.nowMs);
    await this.observe(updated, change.action);
    return updated;
  }

  /** By number (the record's key), as typed: `inc0001001` finds INC0001001. */
  findById(number: string): Promise<IncidentDoc | null> {
    return this.models.Incident.findById(number.trim().toUpperCase()).lean<IncidentDoc>().exec();
  }

  listByRequester(requesterId: string, states: readonly IncidentState[], limit: number): Promise<IncidentDoc[]> {
    return this.models.Incident.find({ requesterId, state: { $in: [...states] } })
      .sort({ createdAt: -1 })
      .limit(limit)
      .lean<IncidentDoc[]>()
      .exec();
  }

  /** Every incident in these states, worst first (priority, then oldest). */
  listByStates(states: readonly IncidentState[]): Promise<IncidentDoc[]> {
    return this.models.Incident.find({ state: { $in: [...states] } })
      .sort({ priority: 1, createdAt: 1 })
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
