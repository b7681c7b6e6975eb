import type { WebClient } from '@slack/web-api';
import type { Actor, PeopleDirectory, PlatformProfile } from '../../src/people/people-directory';

/**
 * The actor behind a Slack user id. A user seen before is found by identity alone; a new one is
 * described by `users.info` (e-mail to match the configured person, locale, time zone).
 */
export function slackActor(people: PeopleDirectory, client: WebClient, userId: string): Promise<Actor> {
  return people.actorFor({ platform: 'slack', userId }, async (): Promise<Partial<PlatformProfile>> => {
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
