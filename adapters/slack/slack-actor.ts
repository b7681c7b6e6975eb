import type { WebClient } from '@slack/web-api';
import type { Actor, PlatformProfile } from '../../src/people/people-directory';
import type { SlackDeps } from './slack-context';
import { waitForMethodTurn } from './slack-limits';

/**
 * Work after the acknowledgement may wait this long for a users.info turn (a company's first day
 * brings many newcomers at once): someone served without a profile is stored apart from the person
 * their e-mail names, so waiting is worth it.
 */
export const DESCRIBE_WAIT_MS = 60_000;

/**
 * The actor behind a Slack user id. A user seen before is found by identity alone; a new one is
 * described by `users.info` (e-mail to match the configured person, locale, time zone), within
 * that method's limit: many newcomers at once wait their turn, and one whose turn is too far off
 * is served without a profile this time (the next request asks again).
 */
export function slackActor(deps: SlackDeps, client: WebClient, userId: string, maxWaitMs = DESCRIBE_WAIT_MS): Promise<Actor> {
  return deps.opsdesk.ctx.people.actorFor({ platform: 'slack', userId }, async (): Promise<Partial<PlatformProfile>> => {
    await waitForMethodTurn(deps.opsdesk.outbox.pacer, client, 'users.info', maxWaitMs);
    const info = await client.users.info({ user: userId, include_locale: true });
    const user = info.user;
    return {
      ...(user?.profile?.email ? { email: user.profile.email } : {}),
      ...(user?.real_name || user?.name ? { name: (user.real_name || user.name) as string } : {}),
      ...(user?.locale ? { locale: user.locale } : {}),
      ...(user?.tz ? { timeZone: user.tz } : {}),
    };
  });
}

/**
 * The actor for what must be answered within Slack's 3 s (a form's errors, type-ahead): a user
 * seen before, else a passer-by in the company's language; nothing is stored or asked of Slack.
 */
export function slackActorBeforeAck(deps: SlackDeps, userId: string): Promise<Actor> {
  return deps.opsdesk.ctx.people.actorIfKnown({ platform: 'slack', userId });
}
