import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { planApproval } from '../../src/domain/approval-rules';
import { CHANGE_TYPES } from '../../src/domain/change-lifecycle';
import { approvalRuleFor, collisionsWith, freezesOver, itemsConcerned } from '../../src/domain/change-rules';
import { DomainError } from '../../src/domain/domain-error';
import { LEVELS } from '../../src/domain/priority';
import { t } from '../../src/i18n/translate';
import { personIdForEmail } from '../../src/people/people-directory';
import { CHANGE_IDS } from '../../src/views/change-actions';
import { stepName } from '../../src/views/request-card';
import { CMDB_IDS } from '../cmdb/suggest-configuration-items';
import { defineHandler, result } from '../handler';
import { changeUpdated } from './change-flow';

const TITLE_MAX = 150;
const TEXT_MAX = 3000;

export const changeForm = defineHandler({
  id: CHANGE_IDS.form,
  description: 'Open the change (RFC) form, its title prefilled from what was typed.',
  entry: {
    commands: [{ command: 'change', argument: { field: 'title', usage: 'what changes', optional: true }, summary: 'help.change.new', commandSummary: 'command.change' }],
  },
  input: z.object({ title: z.string().default('') }),
  async run(ctx, actor, input) {
    const { locale } = actor;
    const label = (key: Parameters<typeof t>[1]) => t(locale, key);
    const title = input.title.trim().slice(0, TITLE_MAX);
    return result([
      {
        kind: 'form',
        title: label('change.form.new'),
        submitId: CHANGE_IDS.submit,
        submitLabel: label('change.form.submit'),
        fields: [
          { id: 'title', label: label('change.field.title'), type: 'text', required: true, maxLength: TITLE_MAX, ...(title ? { initial: title } : {}) },
          { id: 'type', label: label('change.field.type'), type: 'select', required: true, options: CHANGE_TYPES.map((v) => ({ value: v, label: t(locale, `change.type.${v}`) })), initial: 'normal' },
          { id: 'risk', label: label('change.field.risk'), type: 'select', required: true, options: LEVELS.map((v) => ({ value: v, label: t(locale, `level.${v}`) })), initial: 'medium' },
          { id: 'service', label: label('change.field.service'), type: 'select', required: true, options: [...ctx.catalog.services.values()].map((s) => ({ value: s.key, label: s.name })) },
          { id: 'configurationItems', label: label('change.field.items'), type: 'multi_select', required: false, suggest: CMDB_IDS.suggest },
          { id: 'windowStart', label: label('change.field.windowStart'), type: 'datetime', required: true },
          { id: 'windowEnd', label: label('change.field.windowEnd'), type: 'datetime', required: true },
          { id: 'description', label: label('change.field.description'), type: 'long_text', required: false, maxLength: TEXT_MAX },
          { id: 'plan', label: label('change.field.plan'), type: 'long_text', required: true, maxLength: TEXT_MAX },
          { id: 'backoutPlan', label: label('change.field.backoutPlan'), type: 'long_text', required: true, maxLength: TEXT_MAX },
          { id: 'testPlan', label: label('change.field.testPlan'), type: 'long_text', required: false, maxLength: TEXT_MAX },
        ],
      },
    ]);
  },
});

/** The configuration items the change touches, however the form sent them. */
const itemsOf = (input: { configurationItems: string[]; configurationItem?: string | undefined }) => [...new Set([...input.configurationItems, ...(input.configurationItem ? [input.configurationItem] : [])])];

/** An instant as the platforms send it (ISO 8601). */
const instant = z.string().refine((v) => !Number.isNaN(Date.parse(v))).transform((v) => new Date(v));

export const submitChange = defineHandler({
  id: CHANGE_IDS.submit,
  description: 'Submit a change (RFC): its approvers from the change rules, collisions and freezes warned of.',
  entry: {
    form: true,
    toInput: (i) => ({ ...i.form, ...(i.requestKey ? { dedupeKey: `${i.platform}:view:${i.requestKey}` } : {}) }),
  },
  input: z.object({
    title: z.string().trim().min(1).max(TITLE_MAX),
    type: z.enum(CHANGE_TYPES),
    risk: z.enum(LEVELS),
    service: z.string().min(1),
    /** One or several (a form's multi-select sends a list). */
    configurationItems: z
      .union([z.string().trim(), z.array(z.string().trim()).max(20)])
      .optional()
      .transform((v) => [...new Set((Array.isArray(v) ? v : v ? [v] : []).filter(Boolean))]),
    /** A single item (an older form's field). */
    configurationItem: z.string().trim().optional(),
    windowStart: instant,
    windowEnd: instant,
    description: z.string().trim().max(TEXT_MAX).default(''),
    plan: z.string().trim().min(1).max(TEXT_MAX),
    backoutPlan: z.string().trim().min(1).max(TEXT_MAX),
    testPlan: z.string().trim().max(TEXT_MAX).default(''),
    dedupeKey: z.string().min(1).max(200).optional(),
  }),
  check(ctx, input, locale): Record<string, string> | null {
    if (input.windowEnd.getTime() <= input.windowStart.getTime()) return { windowEnd: t(locale, 'error.CHANGE.WINDOW') };
    const items = itemsOf(input);
    const unknown = items.find((key) => !ctx.catalog.config.configurationItems.some((ci) => ci.key === key && ci.service === input.service));
    if (unknown) return { [input.configurationItem === unknown ? 'configurationItem' : 'configurationItems']: t(locale, 'error.CI.UNKNOWN', { ci: unknown }) };
    return null;
  },
  async run(ctx, actor, input) {
    const service = ctx.catalog.service(input.service);
    const { config } = ctx.catalog;
    const rule = approvalRuleFor(config.changeApproval, input.type, input.risk);
    if (!rule) throw new DomainError('CHANGE.NO_RULE', { type: t(actor.locale, `change.type.${input.type}`), risk: t(actor.locale, `level.${input.risk}`) });
    const at = ctx.now();
    const changeManagers = config.people.filter((p) => p.roles.includes('change_manager')).map((p) => p.email);
    const plan = planApproval({
      config,
      item: { fulfilmentGroup: service.supportGroup, approval: rule.approvers, fallback: changeManagers },
      answers: {},
      requester: { id: actor.id, ...(actor.email ? { email: actor.email } : {}) },
      personId: personIdForEmail,
      on: at,
    });
    if (!plan.ok) throw new DomainError('REQUEST.NO_APPROVER', { step: stepName(plan.step, actor.locale) });
    const affectedItems = itemsOf(input);
    const window = { affectedItems, windowStart: input.windowStart, windowEnd: input.windowEnd };
    const others = await ctx.changes.openOn(itemsConcerned(affectedItems, config.configurationItems));
    const collisions = collisionsWith(window, others, config.configurationItems).map(({ change, item }) => ({ number: change.number, title: change.title, state: change.state, item }));
    const freezes = freezesOver(config.changeFreezes, input.type, { start: input.windowStart, end: input.windowEnd });
    const approving = plan.steps.length > 0;
    const { change, created } = await ctx.changes.create(
      {
        title: input.title,
        description: input.description,
        type: input.type,
        risk: input.risk,
        state: approving ? 'assessment' : 'scheduled',
        service: service.key,
        affectedItems,
        plan: input.plan,
        backoutPlan: input.backoutPlan,
        testPlan: input.testPlan,
        windowStart: input.windowStart,
        windowEnd: input.windowEnd,
        requesterId: actor.id,
        requesterName: actor.name,
        steps: plan.steps.map((s, i) => ({ ...s, votes: [], ...(i === 0 ? { startedAt: at } : {}) })),
        currentStep: 0,
        collisions,
        freezes,
        dedupeKey: input.dedupeKey ?? `fresh:${randomUUID()}`,
      },
      { id: actor.id, name: actor.name },
      at,
      input.dedupeKey !== undefined,
    );
    const step = change.steps[0];
    const next = approving && step
      ? t(actor.locale, 'request.next.approval', { names: step.approvers.map((a) => a.name).join(', ') })
      : t(actor.locale, 'change.next.scheduled');
    const warnings = [
      ...change.collisions.map((c) => t(actor.locale, 'change.collision', { number: c.number, title: c.title, state: t(actor.locale, `change.state.${c.state}`), item: c.item })),
      ...(change.freezes.length > 0 ? [t(actor.locale, 'change.freeze', { names: change.freezes.join(', ') })] : []),
    ];
    const said = [
      created || actor.request?.replayed ? t(actor.locale, 'change.submitted', { number: change.number, title: change.title, next }) : t(actor.locale, 'request.alreadySubmitted', { number: change.number }),
      ...warnings.map((warning) => t(actor.locale, 'change.warned', { warning })),
    ].join('\n');
    return changeUpdated(ctx, actor, change, undefined, said);
  },
});
