import type { Model } from 'mongoose';
import type { SlackInstallationDoc } from '../models/slack-installation.model';

/**
 * The Slack workspaces and orgs that installed the app through OAuth, by key (`team:T…`,
 * `enterprise:E…`). Each installation is Bolt's object as JSON text, stored and returned as it is
 * (Slack's objects may hold keys FerretDB cannot store); the Slack adapter's installation store
 * turns it back into Bolt's type.
 */
export class SlackInstallations {
  constructor(private readonly installations: Model<SlackInstallationDoc>) {}

  async save(key: string, installation: string): Promise<void> {
    await this.installations.updateOne({ _id: key }, { $set: { installation, installedAt: new Date() } }, { upsert: true });
  }

  /** The installation's JSON, or null when the app is not installed there. */
  async find(key: string): Promise<string | null> {
    const stored = await this.installations.findById(key).lean();
    return stored ? stored.installation : null;
  }

  /** The JSON of the installation made most recently, or null before the first. */
  async latest(): Promise<string | null> {
    const latest = await this.installations.findOne().sort({ installedAt: -1 }).lean();
    return latest ? latest.installation : null;
  }

  async remove(key: string): Promise<void> {
    await this.installations.deleteOne({ _id: key });
  }
}
