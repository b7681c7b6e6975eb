import type { App, BlockAction, ButtonAction, StaticSelectAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import { decodeActionValue } from '../render/action-value';
import { slackActor } from '../slack-actor';
import type { SlackDeps } from '../slack-context';
import { afterAck } from '../after-ack';
import { cardOf, deliverAnnouncements, errorOf, formOf, openForm, run, tellPrivately } from '../present';

/** A button or menu that changes the record at once: action id → how its value becomes the handler's input. */
const CHANGE_ACTIONS: ReadonlyMap<string, (recordId: string, value?: string) => object> = new Map([
  [INCIDENT_IDS.ack, (recordId: string) => ({ recordId })],
  [INCIDENT_IDS.assignToMe, (recordId: string) => ({ recordId })],
  [INCIDENT_IDS.resume, (recordId: string) => ({ recordId })],
  [INCIDENT_IDS.close, (recordId: string) => ({ recordId })],
  [INCIDENT_IDS.declinePage, (recordId: string, value?: string) => ({ recordId, step: value })],
  [
    INCIDENT_IDS.priority,
    (recordId: string, value = '') => {
      const [impact, urgency] = value.split(':');
      return { recordId, impact, urgency };
    },
  ],
]);

/** A button that opens a form (its handler returns the form). */
const FORM_ACTIONS: readonly string[] = [INCIDENT_IDS.resolveForm, INCIDENT_IDS.holdForm, INCIDENT_IDS.reopenForm];

export const SLACK_ACTION_IDS = [...CHANGE_ACTIONS.keys(), ...FORM_ACTIONS];

type OurAction = ButtonAction | StaticSelectAction;

function actionValue(action: OurAction): string | undefined {
  return action.type === 'button' ? action.value : action.selected_option?.value;
}

export function registerActions(app: App, deps: SlackDeps): void {
  for (const actionId of FORM_ACTIONS) {
    app.action<BlockAction<OurAction>>({ type: 'block_actions', action_id: actionId }, async ({ ack, body, action, client, respond, context }) => {
      await ack();
      await afterAck(deps, { body, userId: body.user.id, respond, botToken: context.botToken }, async () => {
        const decoded = decodeActionValue(actionValue(action));
        if (!decoded) return;
        const actor = await slackActor(deps.opsdesk.ctx.people, client, body.user.id);
        const result = await run(deps, actor, actionId, { recordId: decoded.recordId });
        const form = formOf(result);
        if (form) await openForm(client, body.trigger_id, form, { recordId: decoded.recordId, ...(body.channel ? { channel: body.channel.id } : {}) });
        else await tellPrivately(client, body.user.id, body.channel?.id, result);
      });
    });
  }

  for (const [actionId, toInput] of CHANGE_ACTIONS) {
    app.action<BlockAction<OurAction>>({ type: 'block_actions', action_id: actionId }, async ({ ack, body, action, client, respond, context }) => {
      await ack();
      await afterAck(deps, { body, userId: body.user.id, respond, botToken: context.botToken }, async () => {
        const decoded = decodeActionValue(actionValue(action));
        if (!decoded) return;
        const actor = await slackActor(deps.opsdesk.ctx.people, client, body.user.id);
        const result = await run(deps, actor, actionId, toInput(decoded.recordId, decoded.value));
        if (errorOf(result)) {
          await tellPrivately(client, body.user.id, body.channel?.id, result);
          return;
        }
        const delivery = deps.deliveryClient(context.botToken);
        await deliverAnnouncements(deps, delivery, result.announcements);
        await refreshClickedMessage(deps, delivery, body, result);
      });
    });
  }
}

/**
 * The clicker sees the new state too: when they clicked the channel card, the announcement just
 * edited it; a card elsewhere (a list, a DM) is left as it was and the updated card comes to them
 * privately, rather than rewriting a message that may hold more than this card.
 */
async function refreshClickedMessage(deps: SlackDeps, client: WebClient, body: BlockAction, result: Awaited<ReturnType<typeof run>>): Promise<void> {
  const card = cardOf(result);
  if (!card?.recordId) {
    // No card to show (a page passed on): the notice goes to the clicker.
    if (result.views.length > 0) await tellPrivately(client, body.user.id, body.channel?.id, result);
    return;
  }
  const container = body.container as { type: string; channel_id?: string; message_ts?: string };
  const channelCard = await deps.cards.find(card.recordId, 'slack');
  if (channelCard && channelCard.channel === container.channel_id && channelCard.messageId === container.message_ts) return;
  await tellPrivately(client, body.user.id, body.channel?.id, { views: [card], announcements: [] });
}
