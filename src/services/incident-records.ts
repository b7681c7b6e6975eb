import { OPEN_INCIDENT_STATES, type IncidentAction } from '../domain/incident-lifecycle';
import type { IncidentDoc } from '../models/incident.model';
import type { Models } from '../models/models';
import type { AuditActor } from './audit-log';
import { applyAuditedChange, rollForwardInterruptedChanges, type AuditedChange } from './audited-change';
import { SERIES } from './number-series';
import { createRecord } from './record-creation';
import { INCIDENT_LISTS, incidentListsOf } from './incident-lists';
import { OpenRecordLists, type OpenRecord, type RecordPage } from './open-record-lists';
import { RecordLists } from './record-lists';
import { findByIds } from '../db/find-by-ids';

export type NewIncident = Omit<IncidentDoc, '_id' | 'number' | 'version' | 'auditHead' | 'createdAt' | 'updatedAt'>;

/** Data access for incidents: every change goes through the audited, claimed update. */
/**
 * Told after an incident is created or changed (the SLA and escalation timers are set this way);
 * whether it is watched (its timers set).
 */
export type IncidentObserver = (incident: IncidentDoc, change: IncidentAction | 'create') => Promise<boolean>;

export class IncidentRecords {
  private readonly lists: OpenRecordLists<IncidentDoc>;

  constructor(
    private readonly models: Models,
    private readonly observe: IncidentObserver = async () => false,
    /** Real time as the processes share it (the database server's clock), for when changes were written. */
    private readonly nowMs: () => number = Date.now,
  ) {
    this.lists = new OpenRecordLists(new RecordLists(models, () => new Date(this.nowMs())), (numbers) => findByIds(this.models.Incident, numbers), incidentListsOf);
  }

  /**
   * Creates the incident, or returns the one an earlier try with the same dedupe key created
   * (record-creation.ts), when the caller gave one (`idempotent`).
   */
  async create(draft: NewIncident, actor: AuditActor, at: Date, idempotent = true): Promise<{ incident: IncidentDoc; created: boolean }> {
    const { record: incident, created } = await createRecord<IncidentDoc>({
      records: this.models.Incident,
      models: this.models,
      kind: 'incident',
      series: SERIES.incident,
      summary: { title: draft.title, service: draft.service, priority: draft.priority, state: draft.state },
      ...(idempotent ? { dedupeKey: draft.dedupeKey } : {}),
      actor,
      at,
      nowMs: this.nowMs,
      build: (number, version, auditHead) => ({ ...draft, _id: number, number, version, auditHead, createdAt: at, updatedAt: at }),
      findById: (number) => this.findById(number),
    });
    if (!created) {
      // A retry of a report whose process died after creating it: its lists may not name it yet.
      await this.lists.place(incident);
      return { incident, created: false };
    }
    // Its `created` timer. Its job writes the incident into its lists (relist), off the reporting
    // request's path, in a few milliseconds; a crash before the timer is mended by the replay of the
    // report. Unwatched (the timer could not be set), it is listed here, so the hourly restorer,
    // which reads the lists, finds it.
    if (!(await this.observe(incident, 'create'))) await this.lists.place(incident);
    return { incident, created: true };
  }

  async change(change: Omit<AuditedChange<IncidentDoc>, 'kind'> & { action: IncidentAction }): Promise<IncidentDoc> {
    const updated = await applyAuditedChange(this.models.Incident, this.models.AuditEvent, { ...change, kind: 'incident' }, this.nowMs, (rolled) =>
      this.lists.place(rolled),
    );
    await this.lists.place(updated, change.seen);
    await this.observe(updated, change.action);
    return updated;
  }

  /**
   * Completes the changes whose writer died between claiming and updating (see audited-change.ts),
   * claimed since `since`; returns how many.
   */
  completeInterruptedChanges(since: Date): Promise<number> {
    return rollForwardInterruptedChanges(this.models.Incident, this.models.AuditEvent, since, this.nowMs, (incident) => this.lists.place(incident));
  }

  /**
   * Writes the incident into the lists it is in now: a new incident (its `created` job), or a
   * replayed request whose change (or report) landed before its process died.
   */
  relist(incident: IncidentDoc): Promise<void> {
    return this.lists.place(incident);
  }

  /**
   * Writes every open incident into its lists, read from the whole collection: for a database
   * written before the lists existed (once, at start; see jobs/maintenance/list-open-incidents-once.ts).
   */
  async listEveryOpen(): Promise<number> {
    let listed = 0;
    const open = this.models.Incident.find({ state: { $in: OPEN_INCIDENT_STATES } }).lean<IncidentDoc>().cursor();
    for await (const incident of open) {
      await this.lists.place(incident as IncidentDoc);
      listed += 1;
    }
    return listed;
  }

  /** By number (the record's key), as typed: `inc0001001` finds INC0001001. */
  findById(number: string): Promise<IncidentDoc | null> {
    return this.models.Incident.findById(number.trim().toUpperCase()).lean<IncidentDoc>().exec();
  }

  /** A page (from 0) of the person's open incidents, newest first. */
  reportedBy(requesterId: string, page: number, size: number): Promise<RecordPage<IncidentDoc>> {
    return this.lists.page([INCIDENT_LISTS.requester(requesterId)], 'newest', page, size);
  }

  /** A page (from 0) of the groups' open incidents, most urgent first (priority, then oldest). */
  queueOf(groups: readonly string[], page: number, size: number): Promise<RecordPage<IncidentDoc>> {
    return this.lists.page(groups.map(INCIDENT_LISTS.group), 'mostUrgent', page, size);
  }

  /** The first `wanted` open incidents of each service, most urgent first, and how many it has, as the lists know them (not read). */
  async mostUrgentByService(services: readonly string[], wanted: number): Promise<Map<string, { open: OpenRecord[]; total: number }>> {
    const first = await Promise.all(services.map((s) => this.lists.first([INCIDENT_LISTS.service(s)], 'mostUrgent', wanted)));
    return new Map(services.map((s, i) => [s, first[i] ?? { open: [], total: 0 }]));
  }

  /** Every open incident of each service, most urgent first, as the lists know them (not read). */
  async openByService(services: readonly string[]): Promise<Map<string, OpenRecord[]>> {
    const open = await Promise.all(services.map((s) => this.lists.open([INCIDENT_LISTS.service(s)], 'mostUrgent')));
    return new Map(services.map((s, i) => [s, open[i] ?? []]));
  }

  /** These listed incidents as they are now, those still open only. */
  current(listed: readonly OpenRecord[]): Promise<IncidentDoc[]> {
    return this.lists.current(listed);
  }
}
