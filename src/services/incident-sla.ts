import { businessMinutesBetween, wallMinutesBetween } from '../domain/business-clock';
import type { Priority } from '../domain/priority';
import { dueInstants } from '../domain/sla';
import type { ItsmCatalog } from '../config/itsm-catalog';
import type { IncidentDoc, IncidentDurations, IncidentSla } from '../models/incident.model';
import type { PauseDoc } from '../models/shared-schemas';

/** The SLA clock of a record opened at `startedAt`, or re-targeted after a priority or service change. */
export function slaFor(
  catalog: ItsmCatalog,
  service: string,
  priority: Priority,
  startedAt: Date,
  pauses: PauseDoc[] = [],
): IncidentSla {
  const target = catalog.slaTarget(service, priority);
  const due = dueInstants(target, { startedAt, pauses });
  return {
    startedAt,
    respondMinutes: target.respondMinutes,
    resolveMinutes: target.resolveMinutes,
    calendarKey: target.calendarKey,
    ...due,
    pauses,
  };
}

/** Durations and breach flags recorded at the moment of acknowledgement. */
export function acknowledgementDurations(catalog: ItsmCatalog, incident: IncidentDoc, at: Date): IncidentDurations {
  const calendar = catalog.slaTarget(incident.service, incident.priority).calendar;
  const startedAt = incident.sla.startedAt;
  return {
    ...incident.durations,
    acknowledgeWallMinutes: wallMinutesBetween(startedAt, at),
    acknowledgeBusinessMinutes: businessMinutesBetween(calendar, startedAt, at),
    responseBreached: incident.sla.responseDueAt !== null && at > incident.sla.responseDueAt,
  };
}

/** Durations and breach flags recorded at the moment of resolution (holds excluded). */
export function resolutionDurations(catalog: ItsmCatalog, incident: IncidentDoc, pauses: PauseDoc[], at: Date): IncidentDurations {
  const calendar = catalog.slaTarget(incident.service, incident.priority).calendar;
  const startedAt = incident.sla.startedAt;
  const due = slaFor(catalog, incident.service, incident.priority, startedAt, pauses).resolutionDueAt;
  return {
    ...incident.durations,
    resolveWallMinutes: wallMinutesBetween(startedAt, at, pauses),
    resolveBusinessMinutes: businessMinutesBetween(calendar, startedAt, at, pauses),
    resolutionBreached: due !== null && at > due,
  };
}

export const closePause = (pauses: PauseDoc[], at: Date): PauseDoc[] =>
  pauses.map((p) => (p.end ? p : { start: p.start, end: at }));
