import type { CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import type { TeamsConversationReference } from '../../src/services/teams-conversations';
import { teamsApiErrorOf, type TeamsActivity, type TeamsConnector } from './teams-connector';

/** The stored reference as botbuilder takes it: the conversation, the bot, and in a personal chat the person. */
function conversationReference(reference: TeamsConversationReference): Partial<ConversationReference> {
  return {
    channelId: 'msteams',
    serviceUrl: reference.serviceUrl,
    conversation: { id: reference.conversationId, tenantId: reference.tenantId, isGroup: !reference.userId, conversationType: reference.userId ? 'personal' : 'channel', name: '' },
    bot: { id: reference.botId, name: 'opsdesk' },
    ...(reference.userId ? { user: { id: reference.userId, name: '' } } : {}),
  };
}

/**
 * The outbox's Bot Connector: botbuilder's `continueConversationAsync` with the bot's own
 * credentials (its token from the login endpoint), each refusal thrown as a TeamsApiError for the
 * notifier to retry on its own schedule.
 */
export function teamsBotConnector(cloud: CloudAdapter, appId: string): TeamsConnector {
  const within = async <T>(reference: TeamsConversationReference, work: (context: TurnContext) => Promise<T>): Promise<T> => {
    let outcome: T | undefined;
    try {
      await cloud.continueConversationAsync(appId, conversationReference(reference), async (context) => {
        outcome = await work(context);
      });
    } catch (error) {
      throw teamsApiErrorOf(error);
    }
    return outcome as T;
  };
  return {
    send: (reference, activity: TeamsActivity) =>
      within(reference, async (context) => {
        const sent = await context.sendActivity(activity as never);
        return { id: sent?.id ?? '' };
      }),
    update: (reference, activityId, activity: TeamsActivity) =>
      within(reference, async (context) => {
        await context.updateActivity({ ...(activity as object), id: activityId, conversation: { id: reference.conversationId } } as never);
      }),
  };
}
