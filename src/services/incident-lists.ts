import { OPEN_INCIDENT_STATES } from '../domain/incident-lifecycle';
import type { IncidentDoc } from '../models/incident.model';

/** The lists an open incident is in: its requester's, its group's queue, its service's. */
export const INCIDENT_LISTS = {
  requester: (personId: string) => `incident.requester:${personId}`,
  group: (group: string) => `incident.group:${group}`,
  service: (service: string) => `incident.service:${service}`,
} as const;

const OPEN = new Set<string>(OPEN_INCIDENT_STATES);

export function incidentListsOf(incident: IncidentDoc): string[] {
  if (!OPEN.has(incident.state)) return [];
  return [INCIDENT_LISTS.requester(incident.requesterId), INCIDENT_LISTS.group(incident.assignmentGroup), INCIDENT_LISTS.service(incident.service)];
}
