import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CatalogItemConfig } from '../../src/config/itsm-catalog';
import { requestSlaFor } from '../../src/services/request-watch';
import { planApproval } from '../../src/domain/approval-rules';
import { DomainError } from '../../src/domain/domain-error';
import { t, type Locale } from '../../src/i18n/translate';
import type { FulfilmentTaskDoc, ServiceRequestDoc } from '../../src/models/service-request.model';
import { personIdForEmail, type Actor } from '../../src/people/people-directory';
import { REQUEST_IDS } from '../../src/views/request-actions';
import { stepName } from '../../src/views/request-card';
import { defineHandler, result, type HandlerContext } from '../handler';
import { ANSWER_MAX } from './request-catalog';
import { openNextTasks, requestUpdated } from './request-flow';
import { requestAnnouncements } from '../../src/views/request-announcements';

const answer = z.union([z.string().max(ANSWER_MAX), z.array(z.string().max(300)).max(50)]);

export const submitRequest = defineHandler({
  id: REQUEST_IDS.submit,
  description: "Ask for a catalog item: its form's answers are checked, its approval routed, its tasks queued.",
  entry: {
    form: true,
    // A retried submission of the same form finds the request the first one created.
    toInput: (i) => ({ item: i.recordId, answers: i.form ?? {}, ...(i.requestKey ? { dedupeKey: `${i.platform}:view:${i.requestKey}` } : {}) }),
  },
  input: z.object({
    item: z.string().min(1),
    answers: z.record(z.string(), answer).default({}),
    dedupeKey: z.string().min(1).max(200).optional(),
  }),
  check(ctx, input, locale) {
    const item = ctx.catalog.config.catalog.find((c) => c.key === input.item);
    const checked = item ? checkAnswers(ctx, item, input.answers, locale) : null;
    return checked && 'fieldErrors' in checked ? checked.fieldErrors : null;
  },
  async run(ctx, actor, input) {
    const item = ctx.catalog.config.catalog.find((c) => c.key === input.item);
    if (!item) throw new DomainError('CATALOG.UNKNOWN', { item: input.item });
    // Checked already (`check`): the answers to the item's own fields, cleaned.
    const checked = checkAnswers(ctx, item, input.answers, actor.locale) as { answers: Record<string, string | string[]> };
    const at = ctx.now();
    const plan = planApproval({ config: ctx.catalog.config, item, answers: checked.answers, requester: { id: actor.id, ...(actor.email ? { email: actor.email } : {}) }, personId: personIdForEmail, on: at });
    if (!plan.ok) throw new DomainError('REQUEST.NO_APPROVER', { step: stepName(plan.step, actor.locale) });
    const tasks: FulfilmentTaskDoc[] = (item.tasks.length > 0 ? item.tasks : [{ name: item.name, parallel: false }]).map((task) => ({
      name: task.name,
      group: ('group' in task && task.group) || item.fulfilmentGroup,
      parallel: task.parallel,
      state: 'waiting',
    }));
    const approving = plan.steps.length > 0;
    const { request, created } = await ctx.requests.create(
      {
        catalogItem: item.key,
        title: item.name,
        answers: checked.answers,
        state: approving ? 'awaiting_approval' : 'in_fulfilment',
        requesterId: actor.id,
        requesterName: actor.name,
        fulfilmentGroup: item.fulfilmentGroup,
        priority: item.priority,
        sla: requestSlaFor(ctx.catalog.requestSla(item.key), at),
        steps: plan.steps.map((s, i) => ({ ...s, votes: [], ...(i === 0 ? { startedAt: at } : {}) })),
        currentStep: 0,
        tasks: approving ? tasks : openNextTasks(tasks),
        dedupeKey: input.dedupeKey ?? `fresh:${randomUUID()}`,
      },
      { id: actor.id, name: actor.name },
      at,
      input.dedupeKey !== undefined,
    );
    if (!created && !actor.request?.replayed) {
      // A retry: everyone's card is announced again (stored once), the person told it exists.
      return result([{ kind: 'notice', tone: 'info', text: t(actor.locale, 'request.alreadySubmitted', { number: request.number }) }], await requestAnnouncements(ctx, request));
    }
    return requestUpdated(ctx, actor, request, undefined, confirmationOf(ctx, actor, request));
  },
});

function confirmationOf(ctx: HandlerContext, actor: Actor, request: ServiceRequestDoc): string {
  const step = request.steps[request.currentStep];
  const next =
    request.state === 'awaiting_approval' && step
      ? t(actor.locale, 'request.next.approval', { names: step.approvers.map((a) => a.name).join(', ') })
      : t(actor.locale, 'request.next.fulfilment', { group: ctx.catalog.groups.get(request.fulfilmentGroup)?.name ?? request.fulfilmentGroup });
  return t(actor.locale, 'request.submitted', { number: request.number, title: request.title, next });
}

/** The answers to the item's own fields, checked field by field (unknown fields are dropped). */
function checkAnswers(
  ctx: HandlerContext,
  item: CatalogItemConfig,
  given: Record<string, string | string[]>,
  locale: Locale,
): { answers: Record<string, string | string[]> } | { fieldErrors: Record<string, string> } {
  const answers: Record<string, string | string[]> = {};
  const fieldErrors: Record<string, string> = {};
  for (const field of item.fields) {
    const raw = given[field.id];
    const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map((v) => v.trim()).filter(Boolean);
    if (values.length === 0) {
      if (field.required) fieldErrors[field.id] = t(locale, 'input.required');
      continue;
    }
    const options = field.options ?? [];
    if ((field.type === 'select' || field.type === 'multi_select') && !values.every((v) => options.includes(v))) {
      fieldErrors[field.id] = t(locale, 'input.choice');
    } else if (field.type === 'number' && !values.every((v) => Number.isFinite(Number(v.replace(/[,_\s]/g, ''))))) {
      fieldErrors[field.id] = t(locale, 'error.REQUEST.NOT_A_NUMBER');
    } else if (field.type === 'configuration_item' && !values.every((v) => ctx.catalog.config.configurationItems.some((ci) => ci.key === v))) {
      fieldErrors[field.id] = t(locale, 'input.choice');
    } else if (field.type !== 'long_text' && values.some((v) => v.length > 300)) {
      fieldErrors[field.id] = t(locale, 'input.tooLong', { max: 300 });
    }
    answers[field.id] = field.type === 'multi_select' ? values : (values[0] as string);
  }
  return Object.keys(fieldErrors).length > 0 ? { fieldErrors } : { answers };
}
