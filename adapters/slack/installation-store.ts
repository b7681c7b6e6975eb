import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { Model } from 'mongoose';
import type { SlackInstallationDoc } from '../../src/models/slack-installation.model';

const keyOf = (isEnterpriseInstall: boolean | undefined, enterpriseId: string | undefined, teamId: string | undefined) =>
  isEnterpriseInstall && enterpriseId ? `enterprise:${enterpriseId}` : `team:${teamId ?? ''}`;

/** Bolt's installation store for multi-workspace installs, in MongoDB. */
export class MongoInstallationStore implements InstallationStore {
  constructor(private readonly installations: Model<SlackInstallationDoc>) {}

  async storeInstallation(installation: Installation): Promise<void> {
    const key = keyOf(installation.isEnterpriseInstall, installation.enterprise?.id, installation.team?.id);
    await this.installations.updateOne(
      { _id: key },
      { $set: { installation: JSON.stringify(installation), installedAt: new Date() } },
      { upsert: true },
    );
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation> {
    const key = keyOf(query.isEnterpriseInstall, query.enterpriseId, query.teamId);
    const stored = await this.installations.findById(key).lean();
    if (!stored) throw new Error(`opsdesk is not installed in ${key}`);
    return JSON.parse(stored.installation) as Installation;
  }

  /** The bot token of the workspace installed most recently (notifications of a single-workspace OAuth install). */
  async latestBotToken(): Promise<string | undefined> {
    const latest = await this.installations.findOne().sort({ installedAt: -1 }).lean();
    return latest ? (JSON.parse(latest.installation) as Installation).bot?.token : undefined;
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    await this.installations.deleteOne({ _id: keyOf(query.isEnterpriseInstall, query.enterpriseId, query.teamId) });
  }
}
