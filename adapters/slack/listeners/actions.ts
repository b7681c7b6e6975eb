import type { App, BlockAction, ButtonAction, RespondFn, StaticSelectAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { HandlerResult } from '../../../handlers/handler';
import type { View } from '../../../src/views/view-model';
import { decodeActionValue, handlerIdOfAction } from '../render/action-value';
import { parseCardInputs } from '../render/parse-view-state';
import { slackActor } from '../slack-actor';
import type { SlackDeps } from '../slack-context';
import { afterAck, handedOverOf, storeThenAck } from '../after-ack';
import { announce, cardOf, errorOf, formOf, interact, openForm, tellPrivately } from '../present';
import { anyOf } from './any-of';

export type OurAction = ButtonAction | StaticSelectAction;

function actionValue(action: OurAction): string | undefined {
  return action.type === 'button' ? action.value : action.selected_option?.value;
}

/**
 * A click's work, after its acknowledgement (or replayed from the intake after a crash): the
 * handler its action id names runs. A form comes back as a modal (only while the trigger is
 * fresh); a refusal privately; a change edits the channel's card (through the outbox).
 */
export async function doCardAction(
  deps: SlackDeps,
  body: BlockAction<OurAction>,
  client: WebClient,
  replayed = false,
  respond?: RespondFn,
  /** When the click arrived (epoch ms): its form opens only while the trigger lives. */
  receivedAt = Date.now(),
): Promise<void> {
  const action = body.actions[0];
  if (!action) return;
  const decoded = decodeActionValue(actionValue(action));
  if (!decoded) return;
  const actor = await slackActor(deps, client, body.user.id);
  const form = parseCardInputs(body.state as Parameters<typeof parseCardInputs>[0], decoded.recordId);
  const result = await interact(deps, actor, {
    entry: handlerIdOfAction(action.action_id),
    requestKey: body.trigger_id,
    ...(replayed ? { replayed } : {}),
    ...decoded,
    ...(Object.keys(form).length > 0 ? { form } : {}),
  });
  const opened = formOf(result);
  // A replayed click's trigger has long expired: the form cannot open, the person clicks again.
  if (opened && replayed) return;
  if (opened) {
    await openForm(deps, client, body.trigger_id, opened, { ...(opened.recordId ? { recordId: opened.recordId } : {}), ...(body.channel ? { channel: body.channel.id } : {}) }, receivedAt);
    return;
  }
  // A refusal changes nothing and is kept nowhere: told at once (lost, the person clicks again).
  if (errorOf(result)) {
    await tellPrivately(deps, client, { user: body.user.id, channel: body.channel?.id, respond }, result);
    return;
  }
  await announce(deps, result.announcements, {
    user: body.user.id,
    channel: body.channel?.id,
    responseUrl: body.response_url,
    requestKey: body.trigger_id,
    team: body.team?.id ?? undefined,
    views: await privateViewsOf(deps, body, result, actor),
  });
}

/** Every button and menu the declarations put on a card: stored in the intake, acknowledged, then done. */
export function registerActions(app: App, deps: SlackDeps): void {
  // One listener for every id (Bolt runs every listener's matchers on every request): the action id,
  // or a repeat of it on the same card (`<id>#<n>`).
  const matching = anyOf(deps.opsdesk.registry.idsWith('card'), '(#\\d+)?');
  app.action<BlockAction<OurAction>>({ type: 'block_actions', action_id: matching }, async ({ ack, body, client, respond, context }) => {
    const handedOver = handedOverOf(context);
    const receivedAt = handedOver?.receivedAt ?? Date.now();
    const stored = await storeThenAck(deps, body, () => ack(), handedOver);
    if (!stored) return;
    await afterAck(deps, { body, userId: body.user.id, respond, botToken: context.botToken, accepted: stored.accepted, receivedAt }, () =>
      doCardAction(deps, body, client, false, respond, receivedAt),
    );
  });
}

/**
 * The clicker sees the new state too: when they clicked the record's card that the announcements
 * edit (the channel's, their own in their DM, their group's), it is edited there; a card elsewhere
 * (a list, a page) is left as it was and the updated card comes to them privately, rather than
 * rewriting a message that may hold more than this card. A notice always comes privately.
 */
async function privateViewsOf(deps: SlackDeps, body: BlockAction, result: HandlerResult, actor: { id: string; groups: readonly string[] }): Promise<View[]> {
  const card = cardOf(result);
  // No card to show (a page passed on): the notice goes to the clicker.
  if (!card?.recordId) return result.views;
  const recordId = card.recordId;
  const container = body.container as { type: string; channel_id?: string; message_ts?: string };
  const places = [undefined, `person:${actor.id}`, ...actor.groups.map((g) => `group:${g}`)];
  // One place after another, the channel's card first (where most clicks come from): a click there
  // costs one read instead of one per place.
  let clickedOnEdited = false;
  for (const where of places) {
    const place = await deps.cards.find(recordId, 'slack', where);
    clickedOnEdited = Boolean(place?.messageId && place.channel === container.channel_id && place.messageId === container.message_ts);
    if (clickedOnEdited) break;
  }
  const notices = result.views.filter((v) => v.kind === 'notice');
  return clickedOnEdited ? notices : [...notices, card];
}
