import { randomUUID } from 'node:crypto';
import { ActivityTypes, type TurnContext } from 'botbuilder';
import type { HandlerResult } from '../../handlers/handler';
import type { App } from '../../src/app';
import { t } from '../../src/i18n/translate';
import type { CardView, FormView, NoticeView } from '../../src/views/view-model';
import type { RefreshVerbOf } from './render/render-card';

/** What every Teams listener uses: opsdesk, and which handler redraws a record's card for one viewer. */
export interface TeamsDeps {
  opsdesk: App;
  refreshVerbOf: RefreshVerbOf;
}

/** The handler that shows a record (its number matches the handler's declared `shows`): a card's refresh runs it. */
export function refreshVerbs(opsdesk: App): RefreshVerbOf {
  const showers = opsdesk.registry.showers().map(({ handlerId, pattern }) => ({ handlerId, pattern: new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace('g', '')) }));
  return (recordId) => showers.find((s) => s.pattern.test(recordId))?.handlerId;
}

/** One activity across Teams's resends (it sends again what it did not see answered within 15 s). */
export const requestKeyOf = (context: TurnContext) => `${context.activity.conversation.id}|${context.activity.id ?? ''}`;

/**
 * True for the first delivery of the activity: a resend finds its key claimed and does nothing,
 * unless the process that claimed it has died since (then this delivery does the work).
 */
export async function firstDelivery(deps: TeamsDeps, context: TurnContext): Promise<boolean> {
  if (!context.activity.id) return true;
  const key = requestKeyOf(context);
  const { intake } = deps.opsdesk;
  if (await deps.opsdesk.teams.requests.claimFor(key, intake.bootId, (owner) => intake.isAlive(owner))) return true;
  deps.opsdesk.log.info({ requestKey: key }, 'Teams activity already handled: this delivery is a resend');
  return false;
}

export const formOf = (result: HandlerResult) => result.views.find((v): v is FormView => v.kind === 'form');
export const errorOf = (result: HandlerResult) => result.views.find((v): v is NoticeView => v.kind === 'notice' && v.tone === 'error');
export const cardOf = (result: HandlerResult) => result.views.find((v): v is CardView => v.kind === 'card');

/** An invoke's answer: botbuilder returns the value of this activity as the HTTP response. */
export function invokeResponse(context: TurnContext, status: number, body?: unknown): Promise<unknown> {
  return context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status, ...(body !== undefined ? { body } : {}) } });
}

/** Logs a failure in full under a new id; the person is told only the id. */
export function failureText(deps: TeamsDeps, error: unknown, where: Record<string, unknown>): string {
  const errorId = randomUUID();
  deps.opsdesk.log.error({ errorId, err: error, ...where }, 'Teams activity failed');
  return t(deps.opsdesk.ctx.catalog.config.defaults.locale, 'error.INTERNAL', { errorId });
}

/** Lets a resend of the activity do the work that failed here. */
export function releaseDelivery(deps: TeamsDeps, context: TurnContext): Promise<void> {
  return deps.opsdesk.teams.requests.releaseFor(requestKeyOf(context), deps.opsdesk.intake.bootId).catch(() => undefined);
}
