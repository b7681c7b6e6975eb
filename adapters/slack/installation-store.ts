import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { SlackInstallations } from '../../src/services/slack-installations';

const keyOf = (isEnterpriseInstall: boolean | undefined, enterpriseId: string | undefined, teamId: string | undefined) =>
  isEnterpriseInstall && enterpriseId ? `enterprise:${enterpriseId}` : `team:${teamId ?? ''}`;

/** Bolt's installation store for multi-workspace installs, kept by the SlackInstallations service (in MongoDB). */
export class MongoInstallationStore implements InstallationStore {
  constructor(private readonly installations: SlackInstallations) {}

  async storeInstallation(installation: Installation): Promise<void> {
    const key = keyOf(installation.isEnterpriseInstall, installation.enterprise?.id, installation.team?.id);
    await this.installations.save(key, JSON.stringify(installation));
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation> {
    const key = keyOf(query.isEnterpriseInstall, query.enterpriseId, query.teamId);
    const stored = await this.installations.find(key);
    if (stored === null) throw new Error(`opsdesk is not installed in ${key}`);
    return JSON.parse(stored) as Installation;
  }

  /** The bot token of the workspace installed most recently (notifications of a single-workspace OAuth install). */
  async latestBotToken(): Promise<string | undefined> {
    const latest = await this.installations.latest();
    return latest !== null ? (JSON.parse(latest) as Installation).bot?.token : undefined;
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    await this.installations.remove(keyOf(query.isEnterpriseInstall, query.enterpriseId, query.teamId));
  }
}
