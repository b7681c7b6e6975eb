import type { ItsmCatalog } from '../../src/config/itsm-catalog';
import { decide, type Relation } from '../../src/domain/state-machine';
import { DomainError } from '../../src/domain/domain-error';
import { INCIDENT_LIFECYCLE, mayAssignTo, relationsToIncident, type IncidentAction, type IncidentState } from '../../src/domain/incident-lifecycle';
import { t } from '../../src/i18n/translate';
import type { MessageKey } from '../../src/i18n/messages.en';
import type { IncidentDoc } from '../../src/models/incident.model';
import type { Actor } from '../../src/people/people-directory';
import { RecordConflict, type AuditedChange } from '../../src/services/audited-change';
import type { Announcement } from '../../src/views/view-model';
import { result, type HandlerContext, type HandlerResult } from '../handler';
import { channelReader, incidentCard } from '../../src/views/incident-card';

export interface IncidentChangePlan {
  set: AuditedChange<IncidentDoc>['set'];
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  /** Parameters of the `incident.line.<action>` thread message, besides the actor. */
  line: Record<string, string>;
  /** Another thread message than `incident.line.<action>` (the same parameters). */
  lineKey?: MessageKey;
}

/** How the actor stands to the incident (docs/authorisation.md). */
export function relationsOf(catalog: ItsmCatalog, incident: IncidentDoc, actor: Actor): Relation[] {
  return relationsToIncident(incident, actor, catalog.groups.get(incident.assignmentGroup)?.managers ?? []);
}

export async function loadIncident(ctx: HandlerContext, recordId: string): Promise<IncidentDoc> {
  const incident = await ctx.incidents.findById(recordId);
  if (!incident) throw new DomainError('INCIDENT.NOT_FOUND', { number: recordId });
  return incident;
}

/**
 * May this actor take this action on this incident now? The one rule of docs/authorisation.md,
 * for the forms that lead to an action as for the action itself. A refusal is audited and thrown
 * as the message the person sees. `assignTo`: the group an assignment would move the incident to.
 */
export async function authoriseIncidentAction(
  ctx: HandlerContext,
  actor: Actor,
  incident: IncidentDoc,
  action: IncidentAction,
  options: { input?: Record<string, unknown>; assignTo?: string } = {},
): Promise<IncidentState> {
  const relations = relationsOf(ctx.catalog, incident, actor);
  const standing = { roles: actor.roles, relations };
  let decision = decide(INCIDENT_LIFECYCLE, action, incident.state, standing, options.input ?? {}, { checkRequiredFields: options.input !== undefined });
  if (decision.ok && options.assignTo !== undefined && !mayAssignTo(relations, actor.roles, actor.groups, options.assignTo)) {
    decision = { ok: false, code: 'TRANSITION.FORBIDDEN' };
  }
  if (decision.ok) return decision.to;

  // An agent of another group is told how they may take it over; refusals are audited alike.
  const code = decision.code === 'TRANSITION.FORBIDDEN' && relations.includes('other_agent') ? 'INCIDENT.OTHER_GROUP' : decision.code;
  await ctx.audit.refusal(
    {
      recordKind: 'incident',
      recordId: incident._id,
      recordNumber: incident.number,
      action,
      actor: { id: actor.id, name: actor.name },
      at: ctx.now(),
      before: { state: incident.state },
      after: {},
    },
    code,
  );
  if (action === 'acknowledge' && incident.acknowledgedByName) {
    throw new DomainError('INCIDENT.ALREADY_ACKNOWLEDGED', { actor: incident.acknowledgedByName, number: incident.number });
  }
  const field = decision.code === 'TRANSITION.FIELD_REQUIRED' ? decision.field : undefined;
  const fieldKey = field ? (`incident.field.${field}` as MessageKey) : undefined;
  throw new DomainError(
    code,
    {
      state: t(actor.locale, `state.${incident.state}`),
      field: fieldKey ? t(actor.locale, fieldKey) : (field ?? ''),
      number: incident.number,
      group: ctx.catalog.groups.get(incident.assignmentGroup)?.name ?? incident.assignmentGroup,
    },
    field,
  );
}

/**
 * The one path of every incident change: load, authorise (refusals audited), apply as one
 * claimed audited update, and answer with the updated card and its thread line.
 */
export async function changeIncident(
  ctx: HandlerContext,
  actor: Actor,
  /** The incident's number, or the incident as the handler has just read it (read once, not twice). */
  record: string | IncidentDoc,
  action: IncidentAction,
  input: Record<string, unknown>,
  plan: (incident: IncidentDoc, to: IncidentState, at: Date) => IncidentChangePlan,
  options: {
    assignTo?: (incident: IncidentDoc) => string;
    /** Who else is told of the change, given the record as it now is (the requester of a resolution). */
    tellAlso?: (incident: IncidentDoc) => Promise<Announcement[]>;
  } = {},
): Promise<HandlerResult> {
  const incident = typeof record === 'string' ? await loadIncident(ctx, record) : record;
  const at = ctx.now();
  // A replay of a request whose change landed before its process died: the change stands; the
  // card is announced again (its edit may have been lost), without a second thread line, and the
  // incident written into its lists again (that may have been lost too).
  if (actor.request?.replayed && (await ctx.audit.changedByRequest(incident._id, incident.version, actor.request.key))) {
    await ctx.incidents.relist(incident);
    const again = incidentUpdated(ctx, actor, incident, action, {});
    return { views: again.views, announcements: withoutThreadLines(again.announcements) };
  }
  const to = await authoriseIncidentAction(ctx, actor, incident, action, {
    input,
    ...(options.assignTo ? { assignTo: options.assignTo(incident) } : {}),
  });
  // Allowed, but decided on an older card: nothing is done, and the person sees the record as it is.
  if (typeof input.cardVersion === 'number' && input.cardVersion !== incident.version) {
    return result([{ kind: 'notice', tone: 'error', text: t(actor.locale, 'card.stale', { number: incident.number }) }, incidentCard(incident, actor, ctx.catalog)]);
  }
  const changePlan = plan(incident, to, at);
  let updated: IncidentDoc;
  try {
    updated = await ctx.incidents.change({
      seen: incident,
      action,
      actor: { id: actor.id, name: actor.name },
      at,
      before: changePlan.before,
      after: changePlan.after,
      set: changePlan.set,
      ...(actor.request ? { requestKey: actor.request.key } : {}),
    });
  } catch (error) {
    if (!(error instanceof RecordConflict)) throw error;
    const { winner } = error;
    if (action === 'acknowledge' && winner?.action === 'acknowledge') {
      throw new DomainError('INCIDENT.ALREADY_ACKNOWLEDGED', { actor: winner.actorName, number: incident.number });
    }
    throw new DomainError('RECORD.CHANGED', { number: incident.number, actor: winner?.actorName ?? '?' });
  }
  const answer = incidentUpdated(ctx, actor, updated, action, changePlan.line, changePlan.lineKey);
  return options.tellAlso ? { ...answer, announcements: [...answer.announcements, ...(await options.tellAlso(updated))] } : answer;
}

/** The updated card for the actor, and the same card with its thread line for the channel. */
export function incidentUpdated(
  ctx: HandlerContext,
  actor: Actor,
  incident: IncidentDoc,
  action: IncidentAction | 'create',
  line: Record<string, string>,
  lineKey: MessageKey = `incident.line.${action}` as MessageKey,
): HandlerResult {
  const channel = channelReader(ctx.catalog);
  const announcement: Announcement = {
    reason: `incident.${action}`,
    recordId: incident._id,
    audience: { kind: 'channel', service: incident.service },
    view: incidentCard(incident, channel, ctx.catalog, t(channel.locale, lineKey, { actor: actor.name, ...line })),
  };
  const card = incidentCard(incident, actor, ctx.catalog, t(actor.locale, lineKey, { actor: actor.name, ...line }));
  return result([card], [announcement]);
}

/** The same announcements for a change told already: the card again (its edit may be lost), no second thread line. */
export const withoutThreadLines = (announcements: Announcement[]): Announcement[] =>
  announcements.map(({ view: { threadLine: _line, ...view }, ...rest }) => ({ ...rest, view }));
