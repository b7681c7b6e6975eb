import type { App, InstallationStore } from '@slack/bolt';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import { HOME_IDS } from '../../../handlers/home/my-desk';
import { t } from '../../../src/i18n/translate';
import type { View } from '../../../src/views/view-model';
import { fallbackText, renderMessage } from '../render/render-views';
import { slackActor } from '../slack-actor';
import type { SlackDeps } from '../slack-context';
import { run } from '../present';
import { afterAck, firstDelivery } from '../after-ack';
import { SLACK_EVENTS } from '../slack-ids';

const TICKET_NUMBER = /\b(INC|REQ|PRB|CHG)\d{7}\b/g;
/** How many tickets one mention shows at most. */
const MENTION_LIMIT = 5;

export function registerEvents(app: App, deps: SlackDeps, installations?: InstallationStore): void {
  // The workspace removed the app or revoked its tokens: forget its installation (OAuth installs).
  for (const name of [SLACK_EVENTS.uninstalled, SLACK_EVENTS.tokensRevoked]) {
    app.event(name, async ({ context, body }) => {
      if (!(await firstDelivery(deps, body))) return;
      deps.opsdesk.log.warn({ teamId: context.teamId, enterpriseId: context.enterpriseId, event: name }, 'Slack workspace removed opsdesk');
      await installations?.deleteInstallation?.({
        teamId: context.teamId,
        enterpriseId: context.enterpriseId,
        isEnterpriseInstall: Boolean(context.isEnterpriseInstall),
      });
    });
  }

  // App Home: my open tickets, my groups' queue, what waits on my approval.
  app.event(SLACK_EVENTS.homeOpened, async ({ event, client, body, context }) => {
    if (event.tab !== 'home') return;
    await afterAck(deps, { body, userId: event.user, botToken: context.botToken }, async () => {
      const actor = await slackActor(deps.opsdesk.ctx.people, client, event.user);
      const { views } = await run(deps, actor, HOME_IDS.desk, {});
      await client.views.publish({ user_id: event.user, view: { type: 'home', blocks: renderMessage(views).slice(0, 100) } });
    });
  });

  // "@opsdesk INC0001001?": the ticket's card in the thread.
  app.event(SLACK_EVENTS.mention, async ({ event, client, body, context }) => {
    const userId = event.user;
    if (!userId) return;
    await afterAck(deps, { body, userId, channel: event.channel, botToken: context.botToken }, async () => {
      const actor = await slackActor(deps.opsdesk.ctx.people, client, userId);
      const numbers = [...new Set(event.text.match(TICKET_NUMBER) ?? [])].slice(0, MENTION_LIMIT);
      const views: View[] = numbers.length === 0 ? [{ kind: 'notice', tone: 'info', text: t(actor.locale, 'slack.mentionHint') }] : [];
      for (const number of numbers) {
        if (number.startsWith('INC')) views.push(...(await run(deps, actor, INCIDENT_IDS.show, { recordId: number })).views);
      }
      if (views.length === 0) return;
      await client.chat.postMessage({ channel: event.channel, thread_ts: event.thread_ts ?? event.ts, blocks: renderMessage(views), text: fallbackText(views) });
    });
  });
}
