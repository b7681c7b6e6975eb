import { Schema } from 'mongoose';

/**
 * One Slack workspace (`team:T…`) or org (`enterprise:E…`) that installed the app through OAuth.
 * The installation is kept as JSON text: Slack's objects may hold keys FerretDB cannot store.
 */
export interface SlackInstallationDoc {
  _id: string;
  installation: string;
  installedAt: Date;
}

export const slackInstallationSchema = new Schema<SlackInstallationDoc>(
  { _id: String, installation: { type: String, required: true }, installedAt: Date },
  { versionKey: false },
);
