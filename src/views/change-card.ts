import type { ItsmCatalog } from '../config/itsm-catalog';
import { CHANGE_LIFECYCLE, type ChangeAction } from '../domain/change-lifecycle';
import type { Role } from '../domain/roles';
import { decide, type Relation } from '../domain/state-machine';
import { formatInstant, t } from '../i18n/translate';
import type { ChangeDoc } from '../models/change.model';
import { CHANGE_IDS } from './change-actions';
import { confirmation, type Reader } from './incident-card';
import { approvalContext, voteActions } from './request-card';
import type { ActionView, CardView } from './view-model';

/** The person a change's card is for: their card holds the actions they may take. */
export interface ChangeViewer {
  id: string;
  roles: readonly Role[];
}

/** How the person stands to the change (docs/authorisation.md). */
export function relationsToChange(change: ChangeDoc, viewer: { id: string }): Relation[] {
  const relations: Relation[] = [];
  if (change.requesterId === viewer.id) relations.push('requester');
  if (change.state === 'assessment' && change.steps[change.currentStep]?.approvers.some((a) => a.id === viewer.id)) relations.push('approver');
  return relations;
}

const mayTake = (change: ChangeDoc, viewer: ChangeViewer, action: ChangeAction) =>
  decide(CHANGE_LIFECYCLE, action, change.state, { roles: viewer.roles, relations: relationsToChange(change, viewer) }, {}, { checkRequiredFields: false }).ok;

function actionsFor(change: ChangeDoc, viewer: ChangeViewer, reader: Reader): ActionView[] {
  const { locale } = reader;
  const id = change._id;
  const actions = voteActions(change, change.state === 'assessment', viewer.id, locale, { approve: CHANGE_IDS.approve, rejectForm: CHANGE_IDS.rejectForm });
  const button = (actionId: string, key: Parameters<typeof t>[1], extra: Partial<ActionView> = {}): ActionView => ({ actionId, label: t(locale, key), recordId: id, ...extra });
  if (change.freezes.length > 0 && !change.freezeOverride && mayTake(change, viewer, 'override_freeze')) {
    const names = change.freezes.join(', ');
    actions.unshift(button(CHANGE_IDS.overrideFreeze, 'change.action.overrideFreeze', { style: 'danger', confirm: confirmation(locale, t(locale, 'change.confirm.override', { number: change.number, names })) }));
  }
  if (mayTake(change, viewer, 'start')) actions.push(button(CHANGE_IDS.start, 'change.action.start', { style: 'primary' }));
  if (mayTake(change, viewer, 'complete')) actions.push(button(CHANGE_IDS.completeForm, 'change.action.complete', { style: 'primary' }));
  if (mayTake(change, viewer, 'close')) actions.push(button(CHANGE_IDS.close, 'change.action.close', { style: 'primary' }));
  if (mayTake(change, viewer, 'cancel')) {
    actions.push(button(CHANGE_IDS.cancel, 'change.action.cancel', { style: 'danger', confirm: confirmation(locale, t(locale, 'change.confirm.cancel', { number: change.number })) }));
  }
  return actions;
}

/** The change as a card for one person, in their language and zone: its window, items, approval tally, collisions and freezes. */
export function changeCard(change: ChangeDoc, reader: Reader, catalog: ItsmCatalog, viewer: ChangeViewer, text?: string): CardView {
  const { locale, timeZone } = reader;
  const start = new Date(change.windowStart);
  const end = new Date(change.windowEnd);
  const fields = [
    { label: t(locale, 'change.field.state'), value: t(locale, `change.state.${change.state}`) },
    { label: t(locale, 'change.field.type'), value: t(locale, `change.type.${change.type}`) },
    { label: t(locale, 'change.field.risk'), value: t(locale, `level.${change.risk}`) },
    { label: t(locale, 'change.field.service'), value: catalog.services.get(change.service)?.name ?? change.service },
    { label: t(locale, 'change.field.window'), value: `${formatInstant(start, locale, timeZone)} – ${formatInstant(end, locale, timeZone)}`, at: start },
    { label: t(locale, 'change.field.requester'), value: change.requesterName, person: { id: change.requesterId, name: change.requesterName } },
  ];
  if (change.affectedItems.length > 0) fields.push({ label: t(locale, 'change.field.items'), value: change.affectedItems.join(', ') });
  if (change.outcome) fields.push({ label: t(locale, 'change.field.outcome'), value: t(locale, `change.outcome.${change.outcome}`) });
  const context = approvalContext(change, locale);
  if (change.collisions.length > 0) {
    const list = change.collisions.map((c) => t(locale, 'change.collision', { number: c.number, title: c.title, state: t(locale, `change.state.${c.state}`), item: c.item })).join('; ');
    context.push(t(locale, 'change.collisions', { list }));
  }
  if (change.freezes.length > 0) {
    const names = change.freezes.join(', ');
    context.push(change.freezeOverride ? t(locale, 'change.freezeOverridden', { names, name: change.freezeOverride.byName }) : t(locale, 'change.freeze', { names }));
  }
  if (change.rejection) context.push(t(locale, 'request.field.rejection', { name: change.rejection.byName, reason: change.rejection.reason }));
  const plans = [
    [t(locale, 'change.field.plan'), change.plan],
    [t(locale, 'change.field.backoutPlan'), change.backoutPlan],
    [t(locale, 'change.field.testPlan'), change.testPlan],
  ].filter(([, value]) => value);
  const body = [text, change.description, ...plans.map(([label, value]) => `${label}: ${value}`)].filter(Boolean).join('\n');
  return {
    kind: 'card',
    title: t(locale, 'change.title', { number: change.number, title: change.title }),
    severity: change.type === 'emergency' ? 'high' : 'planning',
    fields,
    ...(body ? { text: body } : {}),
    context,
    actions: actionsFor(change, viewer, reader),
    recordId: change._id,
    version: change.version,
  };
}
