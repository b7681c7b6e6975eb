import { OPEN_REQUEST_STATES } from '../domain/service-request-lifecycle';
import { undecidedApprovers } from '../domain/approval-rules';
import { holderOf } from '../domain/request-holder';
import type { ItsmCatalog } from '../config/itsm-catalog';
import { formatInstant, t, type Locale } from '../i18n/translate';
import type { ApprovalStepDoc, ServiceRequestDoc } from '../models/service-request.model';
import { confirmation, type Reader } from './incident-card';
import { REQUEST_IDS } from './request-actions';
import type { ActionView, CardField, CardView } from './view-model';

/**
 * Whom the card is for: one person (their card holds the actions they may take: an approver's
 * Approve and Reject, the requester's Withdraw, a fulfiller's tasks), or a fulfilment group's
 * channel (its tasks).
 */
export type RequestAudience = { kind: 'person'; id: string; groups: readonly string[] } | { kind: 'group'; group: string };

const OPEN_STATES = new Set<string>(OPEN_REQUEST_STATES);

export function stepName(step: Pick<ApprovalStepDoc, 'kind' | 'name'>, locale: Locale): string {
  if (step.kind === 'manager') return t(locale, 'request.step.manager');
  if (step.kind === 'owner') return t(locale, 'request.step.owner', { name: step.name });
  return step.name;
}

/** "2. Change Advisory Board: 1 of 2 approvals (Jordan Choi approved, Robin Han has not voted)". */
function stepLine(record: { steps: readonly ApprovalStepDoc[]; currentStep: number }, index: number, locale: Locale): string {
  const step = record.steps[index] as ApprovalStepDoc;
  const voteOf = new Map(step.votes.map((v) => [v.approverId, v]));
  const people = step.approvers.map((a) => {
    const name = a.onBehalfOf ? t(locale, 'request.vote.onBehalf', { name: a.name, other: a.onBehalfOf.name }) : a.name;
    const vote = voteOf.get(a.id);
    const said = vote ? t(locale, `request.vote.${vote.decision}`, { name }) : t(locale, 'request.vote.pending', { name });
    return vote?.comment ? `${said} (“${vote.comment}”)` : said;
  });
  const status = step.outcome
    ? t(locale, `request.step.${step.outcome}`)
    : index > record.currentStep
      ? t(locale, 'request.step.later')
      : t(locale, 'request.step.tally', { approved: step.votes.filter((v) => v.decision === 'approved').length, need: step.need });
  return `${t(locale, 'request.step.line', { n: index + 1, what: stepName(step, locale), status })} (${people.join(', ')})`;
}

/** The approval's steps, each with its tally (who approved, who rejected, who has not voted), for a card's context. */
export function approvalContext(record: { steps: readonly ApprovalStepDoc[]; currentStep: number }, locale: Locale): string[] {
  return record.steps.length > 0 ? [`${t(locale, 'request.field.approval')}:\n${record.steps.map((_, i) => stepLine(record, i, locale)).join('\n')}`] : [];
}

/** Approve (a comment optional) and Reject… for an approver of the current step who has not voted yet. */
export function voteActions(
  record: { _id: string; requesterId: string; steps: readonly ApprovalStepDoc[]; currentStep: number },
  deciding: boolean,
  viewerId: string,
  locale: Locale,
  ids: { approve: string; rejectForm: string },
): ActionView[] {
  const step = record.steps[record.currentStep];
  if (!deciding || !step || viewerId === record.requesterId) return [];
  if (!undecidedApprovers(step).some((a) => a.id === viewerId)) return [];
  return [
    {
      actionId: ids.approve,
      label: t(locale, 'request.action.approve'),
      recordId: record._id,
      style: 'primary',
      value: String(record.currentStep),
      input: { id: 'comment', label: t(locale, 'request.field.comment'), required: false, maxLength: 500 },
    },
    { actionId: ids.rejectForm, label: t(locale, 'request.action.reject'), recordId: record._id, style: 'danger', value: String(record.currentStep) },
  ];
}

function taskLines(request: ServiceRequestDoc, catalog: ItsmCatalog, locale: Locale): string {
  return request.tasks
    .map((task) => {
      const state = task.state === 'done' ? t(locale, 'request.task.done', { name: task.doneByName ?? '?' }) : t(locale, `request.task.${task.state}`);
      return t(locale, 'request.task.line', { task: task.name, group: catalog.groups.get(task.group)?.name ?? task.group, state });
    })
    .join('\n');
}

function actionsFor(request: ServiceRequestDoc, audience: RequestAudience, catalog: ItsmCatalog, locale: Locale): ActionView[] {
  const id = request._id;
  const actions: ActionView[] =
    audience.kind === 'person' ? voteActions(request, request.state === 'awaiting_approval', audience.id, locale, { approve: REQUEST_IDS.approve, rejectForm: REQUEST_IDS.rejectForm }) : [];
  if (request.state === 'in_fulfilment') {
    const groups = audience.kind === 'group' ? [audience.group] : audience.groups;
    const fulfiller = request.tasks.some((task) => task.state === 'open' && groups.includes(task.group));
    // Offered to the group's card and its members' while nobody of a group with an open task has it.
    if (fulfiller && !holderOf(request, catalog)) {
      actions.push({ actionId: REQUEST_IDS.take, label: t(locale, 'request.action.take'), recordId: id, style: 'primary' });
    }
    request.tasks.forEach((task, index) => {
      if (task.state === 'open' && groups.includes(task.group)) {
        actions.push({ actionId: REQUEST_IDS.taskDone, label: t(locale, 'request.action.taskDone', { task: task.name }), recordId: id, value: String(index) });
      }
    });
  }
  // The requester rates the service once it is fulfilled.
  if (audience.kind === 'person' && audience.id === request.requesterId && request.state === 'fulfilled') {
    for (const rating of [1, 2, 3, 4, 5]) actions.push({ actionId: REQUEST_IDS.rate, label: '★'.repeat(rating), recordId: id, value: String(rating) });
  }
  if (audience.kind === 'person' && audience.id === request.requesterId && OPEN_STATES.has(request.state)) {
    actions.push({
      actionId: REQUEST_IDS.withdraw,
      label: t(locale, 'request.action.withdraw'),
      recordId: id,
      style: 'danger',
      confirm: confirmation(locale, t(locale, 'request.confirm.withdraw', { number: request.number })),
    });
  }
  return actions;
}

/** The request as a card, in the reader's language and zone, with the actions its audience may take. */
export function requestCard(request: ServiceRequestDoc, reader: Reader, catalog: ItsmCatalog, audience: RequestAudience, text?: string): CardView {
  const { locale } = reader;
  const item = catalog.config.catalog.find((c) => c.key === request.catalogItem);
  const answers: CardField[] = (item?.fields ?? []).flatMap((f) => {
    const answer = request.answers[f.id];
    const value = Array.isArray(answer) ? answer.join(', ') : answer;
    return value ? [{ label: f.label, value }] : [];
  });
  const fields: CardField[] = [
    { label: t(locale, 'request.field.state'), value: t(locale, `request.state.${request.state}`) },
    { label: t(locale, 'incident.field.priority'), value: request.priority ?? 'P4' },
    { label: t(locale, 'request.field.requester'), value: request.requesterName, person: { id: request.requesterId, name: request.requesterName } },
  ];
  if (request.assigneeId) fields.push({ label: t(locale, 'incident.field.assignee'), value: request.assigneeName ?? request.assigneeId, person: { id: request.assigneeId, name: request.assigneeName ?? request.assigneeId } });
  fields.push(...answers);
  if (request.rating) fields.push({ label: t(locale, 'incident.field.satisfaction'), value: `${'★'.repeat(request.rating)} (${request.rating}/5)` });
  const dueFields: [string, Date | null | undefined][] = [
    ['request.field.respondBy', request.respondedAt ? null : request.sla?.responseDueAt],
    ['request.field.due', request.sla?.resolutionDueAt],
  ];
  for (const [label, at] of dueFields) {
    if (!at || !OPEN_STATES.has(request.state)) continue;
    const due = new Date(at);
    fields.push({ label: t(locale, label as 'request.field.due'), value: formatInstant(due, locale, reader.timeZone), at: due });
  }
  const context = approvalContext(request, locale);
  if (request.rejection) context.push(t(locale, 'request.field.rejection', { name: request.rejection.byName, reason: request.rejection.reason }));
  if (request.state !== 'awaiting_approval' && request.tasks.length > 0) context.push(`${t(locale, 'request.field.tasks')}:\n${taskLines(request, catalog, locale)}`);
  return {
    kind: 'card',
    title: t(locale, 'request.title', { number: request.number, title: request.title }),
    severity: 'planning',
    fields,
    ...(text ? { text } : {}),
    context,
    actions: actionsFor(request, audience, catalog, locale),
    recordId: request._id,
    version: request.version,
  };
}
