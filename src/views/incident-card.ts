import type { ItsmCatalog } from '../../src/config/itsm-catalog';
import { LEVELS } from '../../src/domain/priority';
import { formatInstant, t, type Locale } from '../../src/i18n/translate';
import type { IncidentDoc } from '../../src/models/incident.model';
import type { ActionView, CardView } from '../../src/views/view-model';
import { INCIDENT_IDS } from './incident-actions';

export interface Reader {
  locale: Locale;
  timeZone: string;
}

/** Channels and threads are read in the company's language and zone. */
export const channelReader = (catalog: ItsmCatalog): Reader => ({
  locale: catalog.config.defaults.locale,
  timeZone: catalog.config.defaults.timeZone,
});

function dueText(reader: Reader, due: Date | null, met: boolean): string {
  if (met) return t(reader.locale, 'incident.slaMet');
  return due ? formatInstant(due, reader.locale, reader.timeZone) : t(reader.locale, 'incident.slaPaused');
}

function actionsFor(incident: IncidentDoc, locale: Locale): ActionView[] {
  const id = incident._id;
  const action = (actionId: string, key: Parameters<typeof t>[1], style?: ActionView['style']): ActionView => ({
    actionId,
    label: t(locale, key),
    recordId: id,
    ...(style ? { style } : {}),
  });
  const priorityMenu: ActionView = {
    ...action(INCIDENT_IDS.priority, 'incident.action.priority'),
    options: LEVELS.flatMap((impact) =>
      LEVELS.map((urgency) => ({
        value: `${impact}:${urgency}`,
        label: `${t(locale, 'incident.field.impact')} ${t(locale, `level.${impact}`)} · ${t(locale, 'incident.field.urgency')} ${t(locale, `level.${urgency}`)}`,
      })),
    ),
  };
  switch (incident.state) {
    case 'new':
      return [
        action(INCIDENT_IDS.ack, 'incident.action.ack', 'primary'),
        action(INCIDENT_IDS.assignToMe, 'incident.action.assignToMe'),
        action(INCIDENT_IDS.resolveForm, 'incident.action.resolve'),
        action(INCIDENT_IDS.holdForm, 'incident.action.hold'),
        priorityMenu,
      ];
    case 'in_progress':
      return [
        action(INCIDENT_IDS.resolveForm, 'incident.action.resolve', 'primary'),
        action(INCIDENT_IDS.assignToMe, 'incident.action.assignToMe'),
        action(INCIDENT_IDS.holdForm, 'incident.action.hold'),
        priorityMenu,
      ];
    case 'on_hold':
      return [action(INCIDENT_IDS.resume, 'incident.action.resume', 'primary'), action(INCIDENT_IDS.resolveForm, 'incident.action.resolve')];
    case 'resolved':
      return [action(INCIDENT_IDS.close, 'incident.action.close', 'primary'), action(INCIDENT_IDS.reopenForm, 'incident.action.reopen')];
    case 'closed':
      return [];
  }
}

/** The incident as a card, in the reader's language and time zone. */
export function incidentCard(incident: IncidentDoc, reader: Reader, catalog: ItsmCatalog, threadLine?: string): CardView {
  const { locale } = reader;
  const service = catalog.services.get(incident.service)?.name ?? incident.service;
  const group = catalog.groups.get(incident.assignmentGroup)?.name ?? incident.assignmentGroup;
  const responded = Boolean(incident.acknowledgedAt);
  const resolved = incident.state === 'resolved' || incident.state === 'closed';
  const fields = [
    { label: t(locale, 'incident.field.priority'), value: incident.priority },
    { label: t(locale, 'incident.field.state'), value: t(locale, `state.${incident.state}`) },
    { label: t(locale, 'incident.field.service'), value: service },
    { label: t(locale, 'incident.field.assignee'), value: incident.assigneeName ?? t(locale, 'incident.unassigned') },
    { label: t(locale, 'incident.field.group'), value: group },
    { label: t(locale, 'incident.field.responseDue'), value: dueText(reader, incident.sla.responseDueAt, responded) },
    { label: t(locale, 'incident.field.resolutionDue'), value: dueText(reader, incident.sla.resolutionDueAt, resolved) },
  ];
  if (incident.configurationItem) fields.splice(3, 0, { label: t(locale, 'incident.field.ci'), value: incident.configurationItem });
  const context = [`${t(locale, 'incident.field.requester')}: ${incident.requesterName}`];
  if (incident.majorIncident) context.unshift(t(locale, 'incident.major'));
  return {
    kind: 'card',
    title: t(locale, 'incident.title', { number: incident.number, title: incident.title }),
    fields,
    ...(incident.description ? { text: incident.description } : {}),
    context,
    actions: actionsFor(incident, locale),
    recordId: incident._id,
    ...(threadLine ? { threadLine } : {}),
  };
}
