import type { TurnContext } from 'botbuilder';
import { dispatchInteraction } from '../../../handlers/dispatch';
import type { Interaction } from '../../../handlers/entry-points';
import type { HandlerResult } from '../../../handlers/handler';
import type { Actor } from '../../../src/people/people-directory';
import type { CardView } from '../../../src/views/view-model';
import { decodeActionData, type ActionData, type DecodedAction } from '../render/action-data';
import { ADAPTIVE_CARD_CONTENT_TYPE, cardAttachment, type AdaptiveCard } from '../render/adaptive-card';
import { renderCard, type Viewer } from '../render/render-card';
import { renderForm, withValues } from '../render/render-form';
import { renderList, renderNotice } from '../render/render-views';
import { teamsActor } from '../teams-actor';
import { cardOf, errorOf, failureText, firstDelivery, formOf, invokeResponse, requestKeyOf, type TeamsDeps, releaseDelivery } from '../teams-context';

const MESSAGE_RESPONSE = 'application/vnd.microsoft.activity.message';
const ERROR_RESPONSE = 'application/vnd.microsoft.error';

const cardResponse = (context: TurnContext, card: AdaptiveCard) => invokeResponse(context, 200, { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card });
const messageResponse = (context: TurnContext, text: string) => invokeResponse(context, 200, { statusCode: 200, type: MESSAGE_RESPONSE, value: text });
const badRequest = (context: TurnContext, message: string) =>
  invokeResponse(context, 400, { statusCode: 400, type: ERROR_RESPONSE, value: { code: 'BadRequest', message } });

interface ExecuteValue {
  action?: { type?: string; verb?: unknown; data?: unknown };
  trigger?: string;
}

function run(deps: TeamsDeps, actor: Actor, interaction: Omit<Interaction, 'platform'>): Promise<HandlerResult> {
  const { opsdesk } = deps;
  return dispatchInteraction(opsdesk.ctx, opsdesk.registry, opsdesk.log, actor, { ...interaction, platform: 'teams' });
}

/** The record's current card for this viewer (a refresh, or the answer to a resent click). */
async function currentCard(deps: TeamsDeps, context: TurnContext, actor: Actor, viewer: Viewer, recordId: string | undefined): Promise<unknown> {
  const verb = recordId ? deps.refreshVerbOf(recordId) : undefined;
  const card = verb ? cardOf(await run(deps, actor, { entry: verb, recordId: recordId! })) : undefined;
  return card ? cardResponse(context, renderCard(card, viewer, deps.refreshVerbOf)) : messageResponse(context, '');
}

/** A refused submission: the form drawn again, as typed, with each problem beside its field. */
async function formWithErrors(deps: TeamsDeps, actor: Actor, decoded: DecodedAction, fieldErrors: Record<string, string>, text: string): Promise<AdaptiveCard | undefined> {
  const { opener } = decoded;
  if (!opener) return undefined;
  // A command's argument fills its declared field, as when the command was typed (`request laptop` → search).
  const field = [...deps.opsdesk.registry.commands.values()].flat().find((c) => c.handlerId === opener.entry && c.entry.argument)?.entry.argument?.field;
  const typed = opener.argument ? { argument: opener.argument, ...(field ? { form: { [field]: opener.argument } } : {}) } : {};
  const reopened = formOf(await run(deps, actor, { entry: opener.entry, ...(opener.recordId ? { recordId: opener.recordId } : {}), ...(opener.value ? { value: opener.value } : {}), ...typed }));
  return reopened ? renderForm(withValues(reopened, decoded.form), opener, fieldErrors, text) : undefined;
}

/**
 * The message holding the clicked card, redrawn for everyone: in a personal chat the clicker's own
 * card; elsewhere the card the channel sees (announced), refreshed for the clicker with their buttons.
 */
async function updateClickedMessage(deps: TeamsDeps, context: TurnContext, result: HandlerResult, mine: CardView, viewer: Viewer): Promise<void> {
  const { activity } = context;
  if (!activity.replyToId) return;
  const personal = activity.conversation.conversationType === 'personal';
  const shared = result.announcements.find((a) => a.view.recordId === mine.recordId && (a.audience.kind === 'channel' || a.audience.kind === 'groupCard'))?.view;
  const everyone = renderCard(personal || !shared ? mine : shared, viewer, deps.refreshVerbOf);
  await context.updateActivity({ type: 'message', id: activity.replyToId, conversation: activity.conversation, attachments: [cardAttachment(everyone)] });
}

/** Universal Actions (`adaptiveCard/action`): a click or a form's submission runs the handler its verb names. */
export async function onCardAction(deps: TeamsDeps, context: TurnContext): Promise<unknown> {
  const { opsdesk } = deps;
  const value = (context.activity.value ?? {}) as ExecuteValue;
  const verb = value.action?.verb;
  if (value.action?.type !== 'Action.Execute' || typeof verb !== 'string') return badRequest(context, 'expected an Action.Execute with a verb');
  const handler = opsdesk.registry.get(verb);
  const refresh = value.trigger === 'automatic';
  const isShower = opsdesk.registry.showers().some((s) => s.handlerId === verb);
  if (!handler || !(handler.entry?.card || handler.entry?.form || (refresh && isShower))) return badRequest(context, `${verb} is not a card's or a form's action`);

  const actor = await teamsActor(opsdesk, context);
  const viewer: Viewer = { locale: actor.locale, timeZone: actor.timeZone, refreshUserIds: [context.activity.from.id] };
  const decoded = decodeActionData(value.action.data, actor.timeZone);
  if (refresh) return currentCard(deps, context, actor, viewer, decoded.recordId);
  // Teams sends a click again when it saw no answer within 15 s: done once, then answered with the current card.
  if (!(await firstDelivery(deps, context))) return currentCard(deps, context, actor, viewer, decoded.recordId);
  try {
    const result = await run(deps, actor, {
      entry: verb,
      requestKey: requestKeyOf(context),
      ...(decoded.recordId !== undefined ? { recordId: decoded.recordId } : {}),
      ...(decoded.cardVersion !== undefined ? { cardVersion: decoded.cardVersion } : {}),
      ...(decoded.value !== undefined ? { value: decoded.value } : {}),
      ...(Object.keys(decoded.form).length > 0 ? { form: decoded.form } : {}),
    });
    const opened = formOf(result);
    if (opened) return cardResponse(context, renderForm(opened, openerOf(verb, decoded)));
    const refused = errorOf(result);
    if (refused) {
      const redrawn = refused.fieldErrors ? await formWithErrors(deps, actor, decoded, refused.fieldErrors, refused.text) : undefined;
      return redrawn ? cardResponse(context, redrawn) : messageResponse(context, refused.text);
    }
    // Stored before answering: once Teams has its answer, nothing of it can be lost.
    if (result.announcements.length > 0) await opsdesk.jobs.notifier.announce(result.announcements);
    const card = cardOf(result);
    if (card) {
      await updateClickedMessage(deps, context, result, card, viewer);
      return cardResponse(context, renderCard(card, viewer, deps.refreshVerbOf));
    }
    const list = result.views.find((v) => v.kind === 'list');
    if (list?.kind === 'list') return cardResponse(context, renderList(list, viewer));
    const notice = result.views.find((v) => v.kind === 'notice');
    return notice?.kind === 'notice' ? messageResponse(context, notice.text) : messageResponse(context, '');
  } catch (error) {
    await releaseDelivery(deps, context);
    return cardResponse(context, renderNotice({ kind: 'notice', tone: 'error', text: failureText(deps, error, { requestKey: requestKeyOf(context), verb }) }));
  }
}

/** The interaction that opened a form, carried by its submit button. */
function openerOf(verb: string, decoded: DecodedAction): ActionData['opener'] {
  return { entry: verb, ...(decoded.recordId ? { recordId: decoded.recordId } : {}), ...(decoded.value ? { value: decoded.value } : {}) };
}

