import { TeamsInfo, type TurnContext } from 'botbuilder';
import { referenceFromActivity } from '../teams-connector';
import { teamsActor } from '../teams-actor';
import type { TeamsDeps } from '../teams-context';

/**
 * Where opsdesk may write later unasked (SLA warnings, pages, approval requests, channel cards):
 * a person's personal chat, or a channel, stored from any activity the bot hears there (an
 * install, a conversation update, a message). A team's install also names its other channels.
 * Never in the way of the turn: a failure is logged and the activity handled all the same.
 */
export async function rememberConversation(deps: TeamsDeps, context: TurnContext): Promise<void> {
  const { opsdesk } = deps;
  try {
    const found = referenceFromActivity(context.activity);
    if (!found) return;
    if (found.channelId) {
      await opsdesk.teams.conversations.remember({ channelId: found.channelId }, found.reference);
      if (context.activity.type !== 'message' && found.reference.teamId) await rememberTeamChannels(deps, context, found.reference);
      return;
    }
    if (context.activity.conversation.conversationType !== 'personal') return;
    const actor = await teamsActor(opsdesk, context);
    await opsdesk.teams.conversations.remember({ personId: actor.id }, found.reference);
  } catch (error) {
    opsdesk.log.warn({ err: error, activityId: context.activity.id }, 'could not store where this Teams conversation is');
  }
}

/** Every channel of the team the bot was added to, so a service's configured channel is reached without a mention first. */
async function rememberTeamChannels(deps: TeamsDeps, context: TurnContext, team: NonNullable<ReturnType<typeof referenceFromActivity>>['reference']): Promise<void> {
  const channels = await TeamsInfo.getTeamChannels(context);
  for (const channel of channels) {
    if (channel.id) await deps.opsdesk.teams.conversations.remember({ channelId: channel.id }, { ...team, conversationId: channel.id });
  }
}
