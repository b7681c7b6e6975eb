import type { ItsmCatalog } from '../config/itsm-catalog';
import { INCIDENT_LIFECYCLE, relationsToIncident, type ActorStandingFacts, type IncidentAction } from '../domain/incident-lifecycle';
import { LEVELS } from '../domain/priority';
import { decide } from '../domain/state-machine';
import { formatInstant, t, type Locale } from '../i18n/translate';
import type { IncidentDoc } from '../models/incident.model';
import type { ActionView, CardField, CardView, ConfirmView, Severity } from './view-model';
import { INCIDENT_IDS } from './incident-actions';

export interface Reader {
  locale: Locale;
  timeZone: string;
}

/** "Are you sure?" before a risky action, with `question` in the reader's language. */
export const confirmation = (locale: Locale, question: string): ConfirmView => ({
  title: t(locale, 'incident.confirm.title'),
  text: question,
  confirm: t(locale, 'incident.confirm.yes'),
  deny: t(locale, 'incident.confirm.no'),
});

/** A reader who is one person: their card holds only the actions they may take. */
export interface Viewer extends Reader, ActorStandingFacts {}

const isViewer = (reader: Reader): reader is Viewer => 'roles' in reader && 'groups' in reader && 'id' in reader;

/** The rule each card action leads to (a form's button: the action its submission takes). */
const RULE_OF_ACTION: Readonly<Record<string, IncidentAction>> = {
  [INCIDENT_IDS.ack]: 'acknowledge',
  [INCIDENT_IDS.assignToMe]: 'assign',
  [INCIDENT_IDS.assignForm]: 'assign',
  [INCIDENT_IDS.resolveForm]: 'resolve',
  [INCIDENT_IDS.holdForm]: 'hold',
  [INCIDENT_IDS.resume]: 'resume',
  [INCIDENT_IDS.close]: 'close',
  [INCIDENT_IDS.reopenForm]: 'reopen',
  [INCIDENT_IDS.priority]: 'reprioritise',
  [INCIDENT_IDS.comment]: 'comment',
  [INCIDENT_IDS.rate]: 'rate',
};

const SEVERITY_OF_PRIORITY: Readonly<Record<string, Severity>> = { P1: 'critical', P2: 'high', P3: 'moderate', P4: 'low', P5: 'planning' };

/** May this viewer take the card's action (docs/authorisation.md; the handler decides again on the click)? */
function mayTake(incident: IncidentDoc, viewer: Viewer, catalog: ItsmCatalog, actionId: string): boolean {
  const rule = RULE_OF_ACTION[actionId];
  if (!rule) return true;
  const relations = relationsToIncident(incident, viewer, catalog.groups.get(incident.assignmentGroup)?.managers ?? []);
  return decide(INCIDENT_LIFECYCLE, rule, incident.state, { roles: viewer.roles, relations }, {}, { checkRequiredFields: false }).ok;
}

/** Channels and threads are read in the company's language and zone. */
export const channelReader = (catalog: ItsmCatalog): Reader => ({
  locale: catalog.config.defaults.locale,
  timeZone: catalog.config.defaults.timeZone,
});

function dueField(reader: Reader, label: string, due: Date | null, met: boolean): CardField {
  if (met) return { label, value: t(reader.locale, 'incident.slaMet') };
  return due ? { label, value: formatInstant(due, reader.locale, reader.timeZone), at: due } : { label, value: t(reader.locale, 'incident.slaPaused') };
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
  const assign = action(INCIDENT_IDS.assignForm, 'incident.action.assign');
  const comment: ActionView = {
    ...action(INCIDENT_IDS.comment, 'incident.action.commentSubmit'),
    input: { id: 'text', label: t(locale, 'incident.field.text'), required: true, multiline: true, maxLength: 3000 },
  };
  const close: ActionView = {
    ...action(INCIDENT_IDS.close, 'incident.action.close', 'primary'),
    confirm: confirmation(locale, t(locale, 'incident.confirm.close', { number: incident.number })),
  };
  switch (incident.state) {
    case 'new':
      return [
        action(INCIDENT_IDS.ack, 'incident.action.ack', 'primary'),
        action(INCIDENT_IDS.assignToMe, 'incident.action.assignToMe'),
        assign,
        action(INCIDENT_IDS.resolveForm, 'incident.action.resolve'),
        action(INCIDENT_IDS.holdForm, 'incident.action.hold'),
        comment,
        priorityMenu,
      ];
    case 'in_progress':
      return [
        action(INCIDENT_IDS.resolveForm, 'incident.action.resolve', 'primary'),
        action(INCIDENT_IDS.assignToMe, 'incident.action.assignToMe'),
        assign,
        action(INCIDENT_IDS.holdForm, 'incident.action.hold'),
        comment,
        priorityMenu,
      ];
    case 'on_hold':
      return [action(INCIDENT_IDS.resume, 'incident.action.resume', 'primary'), action(INCIDENT_IDS.resolveForm, 'incident.action.resolve'), assign, comment];
    case 'resolved':
      return [close, action(INCIDENT_IDS.reopenForm, 'incident.action.reopen'), comment];
    case 'closed':
      return [];
  }
}

/**
 * The incident as a card, in the reader's language and time zone. For a reader who is one person
 * (a reply, a list, their home) the card holds only the actions that person may take.
 */
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
    {
      label: t(locale, 'incident.field.assignee'),
      value: incident.assigneeName ?? t(locale, 'incident.unassigned'),
      ...(incident.assigneeId && incident.assigneeName ? { person: { id: incident.assigneeId, name: incident.assigneeName } } : {}),
    },
    { label: t(locale, 'incident.field.group'), value: group },
    dueField(reader, t(locale, 'incident.field.responseDue'), incident.sla.responseDueAt, responded),
    dueField(reader, t(locale, 'incident.field.resolutionDue'), incident.sla.resolutionDueAt, resolved),
  ];
  if (incident.configurationItem) fields.splice(3, 0, { label: t(locale, 'incident.field.ci'), value: incident.configurationItem });
  if (incident.satisfaction) fields.push({ label: t(locale, 'incident.field.satisfaction'), value: `${'★'.repeat(incident.satisfaction.rating)} (${incident.satisfaction.rating}/5)` });
  const context = [`${t(locale, 'incident.field.requester')}: ${incident.requesterName}`];
  if (incident.majorIncident) context.unshift(t(locale, 'incident.major'));
  const actions = actionsFor(incident, locale);
  const permalink = incident.source?.permalink;
  return {
    kind: 'card',
    title: t(locale, 'incident.title', { number: incident.number, title: incident.title }),
    severity: SEVERITY_OF_PRIORITY[incident.priority] ?? 'moderate',
    fields,
    ...(incident.description ? { text: incident.description } : {}),
    context,
    ...(permalink ? { links: [{ label: t(locale, 'incident.field.link'), url: permalink }] } : {}),
    actions: isViewer(reader) ? actions.filter((a) => mayTake(incident, reader, catalog, a.actionId)) : actions,
    recordId: incident._id,
    version: incident.version,
    ...(threadLine ? { threadLine } : {}),
  };
}

/** What anyone may know of an incident, as on a status page: no description, requester or actions. */
export function incidentStatusCard(incident: IncidentDoc, reader: Reader, catalog: ItsmCatalog): CardView {
  const { locale } = reader;
  return {
    kind: 'card',
    title: t(locale, 'incident.title', { number: incident.number, title: incident.title }),
    severity: SEVERITY_OF_PRIORITY[incident.priority] ?? 'moderate',
    fields: [
      { label: t(locale, 'incident.field.priority'), value: incident.priority },
      { label: t(locale, 'incident.field.state'), value: t(locale, `state.${incident.state}`) },
      { label: t(locale, 'incident.field.service'), value: catalog.services.get(incident.service)?.name ?? incident.service },
    ],
    actions: [],
    recordId: incident._id,
    version: incident.version,
  };
}

/** The requester's message when their incident is resolved: what was done, Reopen, and a rating. */
export function incidentResolvedCard(incident: IncidentDoc, reader: Reader, catalog: ItsmCatalog): CardView {
  const { locale } = reader;
  const code = incident.resolutionCode ? t(locale, `resolution.${incident.resolutionCode}`) : '-';
  const stars = [1, 2, 3, 4, 5].map(
    (rating): ActionView => ({ actionId: INCIDENT_IDS.rate, label: '★'.repeat(rating), recordId: incident._id, value: String(rating) }),
  );
  return {
    ...incidentStatusCard(incident, reader, catalog),
    text: t(locale, 'incident.resolvedForYou', { number: incident.number, code, notes: incident.resolutionNotes ?? '' }),
    actions: [{ actionId: INCIDENT_IDS.reopenForm, label: t(locale, 'incident.action.reopen'), recordId: incident._id }, ...stars],
  };
}
