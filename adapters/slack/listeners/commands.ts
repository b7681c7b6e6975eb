import type { App } from '@slack/bolt';
import { resolveCommand } from '../../../handlers/commands';
import { fallbackText, renderMessage } from '../render/render-views';
import { mentionsIn } from '../render/slack-mentions';
import { slackActor } from '../slack-actor';
import type { SlackDeps } from '../slack-context';
import { formOf, interact, openForm } from '../present';
import { afterAck, receivedAtOf } from '../after-ack';

/**
 * Every command the declarations define, as a slash command: `/itsm mine` runs the handler that
 * declares the word `mine`. A form opens as a modal (within 3 s of the trigger); anything else is
 * answered through the command's response_url, which reaches the person in any conversation.
 */
export function registerCommands(app: App, deps: SlackDeps): void {
  const { commands } = deps.opsdesk.registry;
  for (const name of commands.keys()) {
    app.command(`/${name}`, async ({ command, ack, client, respond, body, context }) => {
      const receivedAt = receivedAtOf(context);
      // Acknowledge before any database work; the answer follows.
      await ack();
      await afterAck(deps, { body, userId: command.user_id, respond, botToken: context.botToken, receivedAt }, async () => {
        const resolved = resolveCommand(commands, name, command.text);
        if (!resolved) return;
        const actor = await slackActor(deps, client, command.user_id);
        const result = await interact(deps, actor, { ...resolved, requestKey: command.trigger_id });
        const form = formOf(result);
        if (form) await openForm(deps, client, command.trigger_id, form, { channel: command.channel_id }, receivedAt);
        else {
          const mentions = await mentionsIn(deps.opsdesk.ctx.people, result.views);
          await respond({ response_type: 'ephemeral', blocks: renderMessage(result.views, mentions), text: fallbackText(result.views) });
        }
      });
    });
  }
}
