import type { App, InstallationStore } from '@slack/bolt';
import { t } from '../../../src/i18n/translate';
import type { View } from '../../../src/views/view-model';
import { LIMITS } from '../render/block-kit-limits';
import { renderMessage } from '../render/render-views';
import { mentionsIn } from '../render/slack-mentions';
import { slackActor } from '../slack-actor';
import type { SlackDeps } from '../slack-context';
import { announce, interact } from '../present';
import { afterAck, firstDelivery, requestKeyOf } from '../after-ack';
import { SLACK_EVENTS } from '../slack-ids';

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

  // App Home: what the handler declared for the person's home shows.
  const [homeHandler] = deps.opsdesk.registry.idsWith('home');
  app.event(SLACK_EVENTS.homeOpened, async ({ event, client, body, context }) => {
    if (event.tab !== 'home' || !homeHandler) return;
    await afterAck(deps, { body, userId: event.user, botToken: context.botToken }, async () => {
      // Drawn once its turn to be published comes: as things are then, and not at all without a turn.
      const published = await deps.homes.publish(client, event.user, async () => {
        const actor = await slackActor(deps, client, event.user);
        const { views } = await interact(deps, actor, { entry: homeHandler });
        const mentions = await mentionsIn(deps.opsdesk.ctx.people, views);
        return renderMessage(views, mentions, LIMITS.homeBlocks);
      });
      if (!published) deps.opsdesk.log.info({ user: event.user }, 'App Home left for the next visit: views.publish is at its limit');
    });
  });

  // "@opsdesk INC0001001?": each record number a handler declares it shows, in the thread.
  const showers = deps.opsdesk.registry.showers();
  app.event(SLACK_EVENTS.mention, async ({ event, client, body, context }) => {
    const userId = event.user;
    if (!userId) return;
    await afterAck(deps, { body, userId, channel: event.channel, botToken: context.botToken }, async () => {
      const actor = await slackActor(deps, client, userId);
      const views: View[] = [];
      for (const { handlerId, recordId } of numbersIn(event.text, showers)) {
        views.push(...(await interact(deps, actor, { entry: handlerId, recordId, public: true })).views);
      }
      if (views.length === 0) views.push({ kind: 'notice', tone: 'info', text: t(actor.locale, 'slack.mentionHint') });
      // Answered in the thread, through the outbox: within the channel's pace, and once.
      await announce(deps, [], {
        user: userId,
        channel: event.channel,
        thread: event.thread_ts ?? event.ts,
        requestKey: requestKeyOf(body as Record<string, unknown>) ?? `event:${event.ts}`,
        views,
        team: context.teamId,
      });
    });
  });
}

/** The record numbers in a message, in the order written, each once, with the handler that shows it. */
function numbersIn(text: string, showers: ReturnType<SlackDeps['opsdesk']['registry']['showers']>): { handlerId: string; recordId: string }[] {
  const found = showers.flatMap(({ handlerId, pattern }) =>
    [...text.matchAll(new RegExp(pattern.source, 'g'))].map((m) => ({ handlerId, recordId: m[0], at: m.index ?? 0 })),
  );
  const seen = new Set<string>();
  return found
    .sort((a, b) => a.at - b.at)
    .filter((f) => !seen.has(f.recordId) && seen.add(f.recordId))
    .slice(0, MENTION_LIMIT)
    .map(({ handlerId, recordId }) => ({ handlerId, recordId }));
}
