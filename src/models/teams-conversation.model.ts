import { Schema } from 'mongoose';

/**
 * What the Bot Connector needs to post into a Teams conversation without being asked (a proactive
 * message): learnt when someone first talks to the bot or installs it, refreshed as they go on.
 */
export interface TeamsConversationReference {
  /** The Bot Connector's address for the tenant's region (the activity's `serviceUrl`). */
  serviceUrl: string;
  /** The conversation: a personal chat's id (`a:…`), or a channel's (`19:…@thread.tacv2`, no `;messageid=`). */
  conversationId: string;
  tenantId: string;
  /** The bot's id in the conversation (`28:<app id>`: the activity's `recipient.id`). */
  botId: string;
  /** A channel's team (`channelData.team.id`). */
  teamId?: string;
  /** A personal chat's user (their Teams id, `29:…`), where known. */
  userId?: string;
}

/**
 * One conversation opsdesk may post into, by `_id`: `teams:person:<person id>` (their personal chat
 * with the bot) or `teams:channel:<channel id>`. Written when it changes, read by `_id` only.
 */
export interface TeamsConversationDoc extends TeamsConversationReference {
  _id: string;
  at: Date;
}

export const teamsConversationSchema = new Schema<TeamsConversationDoc>(
  {
    _id: String,
    serviceUrl: { type: String, required: true },
    conversationId: { type: String, required: true },
    tenantId: { type: String, required: true },
    botId: { type: String, required: true },
    teamId: String,
    userId: String,
    at: Date,
  },
  { versionKey: false },
);
