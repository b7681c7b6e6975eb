import type { App, MessageShortcut } from '@slack/bolt';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import { slackActor } from '../slack-actor';
import type { SlackDeps } from '../slack-context';
import { SLACK_SHORTCUTS } from '../slack-ids';
import { formOf, openForm, run } from '../present';
import { afterAck } from '../after-ack';

export function registerShortcuts(app: App, deps: SlackDeps): void {
  // "Report as incident" on any message: the form prefilled with its text; the record keeps its permalink.
  app.shortcut<MessageShortcut>({ callback_id: SLACK_SHORTCUTS.reportMessage, type: 'message_action' }, async ({ shortcut, ack, client, body, respond, context }) => {
    await ack();
    await afterAck(deps, { body, userId: shortcut.user.id, respond, botToken: context.botToken }, async () => {
      const actor = await slackActor(deps.opsdesk.ctx.people, client, shortcut.user.id);
      const result = await run(deps, actor, INCIDENT_IDS.reportForm, { text: shortcut.message.text ?? '' });
      const form = formOf(result);
      if (!form) return;
      await openForm(client, shortcut.trigger_id, form, { channel: shortcut.channel.id, extra: { sourceTs: shortcut.message.ts, sourceChannel: shortcut.channel.id } });
    });
  });

  app.shortcut({ callback_id: SLACK_SHORTCUTS.reportIncident, type: 'shortcut' }, async ({ shortcut, ack, client, body, context }) => {
    await ack();
    await afterAck(deps, { body, userId: shortcut.user.id, botToken: context.botToken }, async () => {
      const actor = await slackActor(deps.opsdesk.ctx.people, client, shortcut.user.id);
      const form = formOf(await run(deps, actor, INCIDENT_IDS.reportForm, {}));
      if (form) await openForm(client, shortcut.trigger_id, form, {});
    });
  });
}
