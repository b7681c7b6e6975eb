import { TeamsInfo, type TurnContext } from 'botbuilder';
import type { Actor, PlatformProfile } from '../../src/people/people-directory';
import type { App } from '../../src/app';

function clientInfo(context: TurnContext): { locale?: string; timezone?: string } {
  const entity = (context.activity.entities ?? []).find((e) => e.type === 'clientInfo') as { locale?: string; timezone?: string } | undefined;
  return entity ?? {};
}

/** A Teams user, qualified by tenant: their AAD object id when Teams sends it (the same for every bot). */
export function teamsUserId(context: TurnContext): string {
  const { from, conversation } = context.activity;
  const tenant = conversation?.tenantId ?? (context.activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ?? 'tenant';
  return `${tenant}:${from.aadObjectId ?? from.id}`;
}

/** What the activity itself says of its sender: name, language and time zone. */
function profileOf(context: TurnContext): PlatformProfile {
  const { activity } = context;
  const info = clientInfo(context);
  const locale = activity.locale ?? info.locale;
  const timeZone = (activity as { localTimezone?: string }).localTimezone ?? info.timezone;
  return {
    platform: 'teams',
    userId: teamsUserId(context),
    ...(activity.from.name ? { name: activity.from.name } : {}),
    ...(locale ? { locale } : {}),
    ...(timeZone ? { timeZone } : {}),
  };
}

/**
 * The actor behind the activity's sender. A user seen before is found by identity; a new one is
 * described by the Bot Connector's member lookup (their e-mail matches the configured person).
 */
export function teamsActor(opsdesk: App, context: TurnContext): Promise<Actor> {
  return opsdesk.ctx.people.actorFor(profileOf(context), async () => {
    const member = await TeamsInfo.getMember(context, context.activity.from.id);
    const email = member.email ?? member.userPrincipalName;
    return { ...(email ? { email } : {}), ...(member.name ? { name: member.name } : {}) };
  });
}

/** For what must answer at once and store nothing (a type-ahead): someone seen before, else a passer-by. */
export function teamsActorIfKnown(opsdesk: App, context: TurnContext): Promise<Actor> {
  return opsdesk.ctx.people.actorIfKnown(profileOf(context));
}
