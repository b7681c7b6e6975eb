import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BOT_SCOPES } from '../../../adapters/slack/slack-app';
import { SLACK_COMMANDS, SLACK_EVENTS, SLACK_SHORTCUTS } from '../../../adapters/slack/slack-ids';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import type { Database } from '../../../src/db/connect';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';
import { slackFixture, slashCommandBody } from '../../support/slack/fixtures';
import { SLACK_USERS, eventually, startSlackHarness, type SlackHarness } from '../../support/slack/slack-harness';
import { interactionBody, postToSlackEndpoint } from '../../support/slack/signed-request';

const manifest = parse(readFileSync(join(__dirname, '..', '..', '..', 'manifest.yml'), 'utf8')) as Record<string, any>;

describe('manifest.yml', () => {
  it('declares exactly the commands, shortcuts, events and scopes the app handles', () => {
    expect(manifest.features.slash_commands.map((c: any) => c.command).sort()).toEqual(Object.values(SLACK_COMMANDS).sort());
    expect(manifest.features.shortcuts.map((s: any) => s.callback_id).sort()).toEqual(Object.values(SLACK_SHORTCUTS).sort());
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual(Object.values(SLACK_EVENTS).sort());
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual([...BOT_SCOPES].sort());
  });

  it('sends commands, interactivity, options and events to the one endpoint opsdesk serves', () => {
    const urls = [
      ...manifest.features.slash_commands.map((c: any) => c.url),
      manifest.settings.event_subscriptions.request_url,
      manifest.settings.interactivity.request_url,
      manifest.settings.interactivity.message_menu_options_url,
    ];
    expect(new Set(urls.map((u: string) => new URL(u).pathname))).toEqual(new Set(['/slack/events']));
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
  });

  describe('every declared command and shortcut has a listener', () => {
    let database: Database;
    let slack: SlackHarness;
    beforeAll(async () => {
      database = await openTestDatabase('slack_manifest');
      slack = await startSlackHarness(database);
    });
    afterAll(async () => {
      await slack.close();
      await dropTestDatabase(database);
    });

    it.each(Object.values(SLACK_COMMANDS))('%s is answered', async (command) => {
      const response = await postToSlackEndpoint(slack.url, { body: slashCommandBody(command, command === SLACK_COMMANDS.itsm ? 'help' : 'Mail is down'), contentType: 'application/x-www-form-urlencoded' });
      expect(response.status).toBe(200);
      // An unhandled request is left for Bolt's 3 s timeout; a handled one is answered at once.
      expect(response.ms).toBeLessThan(2000);
    });

    it.each([
      [SLACK_SHORTCUTS.reportMessage, 'message_action.json'],
      [SLACK_SHORTCUTS.reportIncident, 'shortcut_global.json'],
    ])('%s opens the report form', async (callbackId, fixture) => {
      slack.api.clear();
      const payload = slackFixture(fixture);
      payload.callback_id = callbackId;
      payload.trigger_id = `${callbackId}.trigger`;
      payload.user.id = SLACK_USERS.jamie.id;
      const response = await postToSlackEndpoint(slack.url, { body: interactionBody(payload), contentType: 'application/x-www-form-urlencoded' });
      expect(response.status).toBe(200);
      const opened = () => slack.api.callsOf('views.open').find((c) => c.args.trigger_id === payload.trigger_id);
      await eventually(() => opened() !== undefined);
      expect((opened()!.args.view as any).callback_id).toBe(INCIDENT_IDS.report);
    });
  });
});
