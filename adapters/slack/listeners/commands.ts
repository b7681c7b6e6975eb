import type { App } from '@slack/bolt';
import { HANDLERS } from '../../../handlers/index';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import { ONCALL_IDS } from '../../../handlers/oncall/show-on-call';
import { t } from '../../../src/i18n/translate';
import type { Actor } from '../../../src/people/people-directory';
import type { View } from '../../../src/views/view-model';
import { fallbackText, renderMessage } from '../render/render-views';
import { SLACK_COMMANDS } from '../slack-ids';
import { slackActor } from '../slack-actor';
import type { SlackDeps } from '../slack-context';
import { formOf, openForm, run } from '../present';
import { afterAck } from '../after-ack';

/** `/itsm <subcommand> [argument]`: subcommand → handler and how its argument becomes input. */
const ITSM_SUBCOMMANDS: ReadonlyMap<string, { handler: string; input: (argument: string) => object }> = new Map([
  ['mine', { handler: INCIDENT_IDS.mine, input: () => ({}) }],
  ['queue', { handler: INCIDENT_IDS.queue, input: () => ({}) }],
  ['show', { handler: INCIDENT_IDS.show, input: (argument: string) => ({ recordId: argument }) }],
  ['status', { handler: INCIDENT_IDS.status, input: () => ({}) }],
  ['oncall', { handler: ONCALL_IDS.show, input: (argument: string) => (argument ? { group: argument } : {}) }],
]);

/** Help text built from the handlers' own declarations. */
export function helpView(actor: Actor): View {
  const lines = [...ITSM_SUBCOMMANDS].map(([name, sub]) => {
    const declaration = HANDLERS.find((h) => h.id === sub.handler);
    return { label: `/itsm ${declaration?.usage ?? name}`, value: declaration?.description ?? '' };
  });
  const report = HANDLERS.find((h) => h.id === INCIDENT_IDS.reportForm);
  return {
    kind: 'card',
    title: t(actor.locale, 'help.title'),
    fields: [{ label: SLACK_COMMANDS.incident + ' [summary]', value: report?.description ?? '' }, { label: '/itsm help', value: '' }, ...lines].filter(
      (f) => f.value !== '' || f.label === '/itsm help',
    ),
    actions: [],
  };
}

/** Splits `show INC0001001` into subcommand and argument, explicitly (no substring matching). */
export function parseItsmText(text: string): { subcommand: string; argument: string } {
  const [subcommand = 'help', ...rest] = text.trim().split(/\s+/).filter(Boolean);
  return { subcommand: subcommand.toLowerCase(), argument: rest.join(' ') };
}

export function registerCommands(app: App, deps: SlackDeps): void {
  app.command(SLACK_COMMANDS.incident, async ({ command, ack, client, body, respond, context }) => {
    // The modal must open within 3 s of the trigger: acknowledge first, the form needs no database.
    await ack();
    await afterAck(deps, { body, userId: command.user_id, respond, botToken: context.botToken }, async () => {
      const actor = await slackActor(deps.opsdesk.ctx.people, client, command.user_id);
      const result = await run(deps, actor, INCIDENT_IDS.reportForm, { text: command.text });
      const form = formOf(result);
      if (form) await openForm(client, command.trigger_id, form, { channel: command.channel_id });
    });
  });

  app.command(SLACK_COMMANDS.itsm, async ({ command, ack, client, respond, body, context }) => {
    // Acknowledge before any database work; the answer follows through the command's response_url,
    // which reaches the person in any conversation, whether or not the app is a member.
    await ack();
    await afterAck(deps, { body, userId: command.user_id, respond, botToken: context.botToken }, async () => {
      const actor = await slackActor(deps.opsdesk.ctx.people, client, command.user_id);
      const { subcommand, argument } = parseItsmText(command.text);
      const sub = ITSM_SUBCOMMANDS.get(subcommand);
      const views = sub ? (await run(deps, actor, sub.handler, sub.input(argument))).views : [helpView(actor)];
      await respond({ response_type: 'ephemeral', blocks: renderMessage(views), text: fallbackText(views) });
    });
  });

  app.command(SLACK_COMMANDS.oncall, async ({ command, ack, client, respond, body, context }) => {
    await ack();
    await afterAck(deps, { body, userId: command.user_id, respond, botToken: context.botToken }, async () => {
      const actor = await slackActor(deps.opsdesk.ctx.people, client, command.user_id);
      const { views } = await run(deps, actor, ONCALL_IDS.show, ITSM_SUBCOMMANDS.get('oncall')!.input(command.text.trim()));
      await respond({ response_type: 'ephemeral', blocks: renderMessage(views), text: fallbackText(views) });
    });
  });
}
