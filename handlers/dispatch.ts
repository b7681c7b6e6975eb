import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { isDomainError, type DomainError } from '../src/domain/domain-error';
import { hasMessage, t, type Locale } from '../src/i18n/translate';
import type { Actor } from '../src/people/people-directory';
import type { Logger } from '../src/logger';
import type { NoticeView } from '../src/views/view-model';
import { defaultInput, type Interaction } from './entry-points';
import type { HandlerContext, HandlerDeclaration, HandlerResult } from './handler';
import type { HandlerRegistry } from './index';

export interface Invocation {
  handlerId: string;
  actor: Actor;
  input: unknown;
}

const notice = (text: string, fieldErrors?: Record<string, string>): NoticeView => ({
  kind: 'notice',
  tone: 'error',
  text,
  ...(fieldErrors ? { fieldErrors } : {}),
});

function inputIssueText(locale: Locale, issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small':
      return t(locale, 'input.required');
    case 'too_big':
      return t(locale, 'input.tooLong', { max: Number(issue.maximum) });
    case 'invalid_value':
      return issue.input === undefined ? t(locale, 'input.required') : t(locale, 'input.choice');
    case 'invalid_type':
      return issue.input === undefined ? t(locale, 'input.required') : t(locale, 'input.invalid');
    default:
      return t(locale, 'input.invalid');
  }
}

function inputErrors(locale: Locale, issues: readonly z.core.$ZodIssue[]): NoticeView {
  const fieldErrors: Record<string, string> = {};
  for (const issue of issues) {
    const field = String(issue.path[0] ?? '_');
    fieldErrors[field] ??= inputIssueText(locale, issue);
  }
  return notice(t(locale, 'error.INPUT.INVALID'), fieldErrors);
}

/** The handler's input from an interaction, as the handler declares it. */
export function inputOf(handler: HandlerDeclaration, interaction: Interaction): unknown {
  return handler.entry?.toInput ? handler.entry.toInput(interaction) : defaultInput(interaction);
}

/**
 * The interaction's problems, field by field, without running anything: for a platform that must
 * answer a form within its time limit (Slack: 3 s) and does the work after answering.
 */
export function checkInteraction(ctx: HandlerContext, registry: HandlerRegistry, locale: Locale, interaction: Interaction): NoticeView | null {
  const handler = registry.get(interaction.entry);
  if (!handler) return notice(t(locale, 'error.INPUT.INVALID'));
  const parsed = handler.input.safeParse(inputOf(handler, interaction) ?? {}, { reportInput: true });
  if (!parsed.success) return inputErrors(locale, parsed.error.issues);
  const fieldErrors = handler.check?.(ctx, parsed.data, locale);
  return fieldErrors ? notice(t(locale, 'error.INPUT.INVALID'), fieldErrors) : null;
}

/** What every adapter calls: the interaction becomes the declared handler's input, then runs as below. */
export function dispatchInteraction(ctx: HandlerContext, registry: HandlerRegistry, log: Logger, actor: Actor, interaction: Interaction): Promise<HandlerResult> {
  const handler = registry.get(interaction.entry);
  const acting: Actor = interaction.requestKey
    ? { ...actor, request: { key: `${interaction.platform}:${interaction.requestKey}`, replayed: Boolean(interaction.replayed) } }
    : actor;
  return dispatch(ctx, registry, log, { handlerId: interaction.entry, actor: acting, input: handler ? inputOf(handler, interaction) : {} });
}

export function domainErrorNotice(locale: Locale, error: DomainError): NoticeView {
  const key = `error.${error.code}`;
  const text = hasMessage(key) ? t(locale, key, error.params) : error.code;
  return notice(text, error.field ? { [error.field]: text } : undefined);
}

/**
 * The one boundary between an adapter and the handlers: validates the input, checks the role,
 * runs the use case, and turns every failure into a notice for the person. Unknown errors are
 * logged in full with an id, and the person is told only the id.
 */
export async function dispatch(ctx: HandlerContext, registry: HandlerRegistry, log: Logger, call: Invocation): Promise<HandlerResult> {
  const { actor } = call;
  const handler = registry.get(call.handlerId);
  if (!handler) {
    const errorId = randomUUID();
    log.error({ errorId, handlerId: call.handlerId }, 'no handler has this id');
    return { views: [notice(t(actor.locale, 'error.INTERNAL', { errorId }))], announcements: [] };
  }
  const parsed = handler.input.safeParse(call.input ?? {}, { reportInput: true });
  if (!parsed.success) return { views: [inputErrors(actor.locale, parsed.error.issues)], announcements: [] };
  const fieldErrors = handler.check?.(ctx, parsed.data, actor.locale);
  if (fieldErrors) return { views: [notice(t(actor.locale, 'error.INPUT.INVALID'), fieldErrors)], announcements: [] };
  if (handler.requiredRole && !actor.roles.includes(handler.requiredRole) && !actor.roles.includes('admin')) {
    return { views: [notice(t(actor.locale, 'error.ROLE.REQUIRED', { role: handler.requiredRole }))], announcements: [] };
  }
  try {
    return await handler.run(ctx, actor, parsed.data);
  } catch (error) {
    if (isDomainError(error)) return { views: [domainErrorNotice(actor.locale, error)], announcements: [] };
    // A replay (work acknowledged by a process that died) that fails on our side is tried again
    // later by the intake, rather than told: the person hears of it once it is done, or given up.
    if (actor.request?.replayed) throw error;
    const errorId = randomUUID();
    log.error({ errorId, handlerId: handler.id, actorId: actor.id, err: error }, 'handler failed');
    return { views: [notice(t(actor.locale, 'error.INTERNAL', { errorId }))], announcements: [] };
  }
}
