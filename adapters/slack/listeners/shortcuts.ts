import type { App, GlobalShortcut, MessageShortcut } from '@slack/bolt';
import { slackActor } from '../slack-actor';
import type { SlackDeps } from '../slack-context';
import { formOf, interact, openForm, tellPrivately } from '../present';
import { afterAck, receivedAtOf } from '../after-ack';

/**
 * Every declared shortcut. On a message, the handler gets the message's text, and a form it opens
 * remembers the message so that the record keeps its permalink.
 */
export function registerShortcuts(app: App, deps: SlackDeps): void {
  for (const { handlerId, shortcut } of deps.opsdesk.registry.shortcuts()) {
    if (shortcut.on === 'message') {
      app.shortcut<MessageShortcut>({ callback_id: shortcut.id, type: 'message_action' }, async ({ shortcut: sent, ack, client, body, respond, context }) => {
        const receivedAt = receivedAtOf(context);
        await ack();
        await afterAck(deps, { body, userId: sent.user.id, respond, botToken: context.botToken, receivedAt }, async () => {
          const actor = await slackActor(deps, client, sent.user.id);
          const result = await interact(deps, actor, { entry: handlerId, requestKey: sent.trigger_id, source: { text: sent.message.text ?? '' } });
          const form = formOf(result);
          if (!form) return tellPrivately(deps, client, { user: sent.user.id, channel: sent.channel.id, respond }, result);
          await openForm(deps, client, sent.trigger_id, form, { channel: sent.channel.id, extra: { sourceTs: sent.message.ts, sourceChannel: sent.channel.id } }, receivedAt);
        });
      });
    } else {
      app.shortcut<GlobalShortcut>({ callback_id: shortcut.id, type: 'shortcut' }, async ({ shortcut: sent, ack, client, body, context }) => {
        const receivedAt = receivedAtOf(context);
        await ack();
        await afterAck(deps, { body, userId: sent.user.id, botToken: context.botToken, receivedAt }, async () => {
          const actor = await slackActor(deps, client, sent.user.id);
          const result = await interact(deps, actor, { entry: handlerId, requestKey: sent.trigger_id });
          const form = formOf(result);
          if (!form) return tellPrivately(deps, client, { user: sent.user.id }, result);
          await openForm(deps, client, sent.trigger_id, form, {}, receivedAt);
        });
      });
    }
  }
}
