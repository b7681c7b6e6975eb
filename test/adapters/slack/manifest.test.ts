import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BOT_SCOPES } from '../../../adapters/slack/slack-app';
import { SLACK_EVENTS } from '../../../adapters/slack/slack-ids';
import { manifestEntries } from '../../../adapters/slack/slack-manifest';
import { HandlerRegistry } from '../../../handlers/index';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import type { Database } from '../../../src/db/connect';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';
import { slackFixture, slashCommandBody } from '../../support/slack/fixtures';
import { SLACK_USERS, eventually, startSlackHarness, type SlackHarness } from '../../support/slack/slack-harness';
import { interactionBody, postToSlackEndpoint } from '../../support/slack/signed-request';

const manifest = parse(readFileSync(join(__dirname, '..', '..', '..', 'manifest.yml'), 'utf8')) as Record<string, any>;

const declared = manifestEntries(new HandlerRegistry());
const byKey = <T>(items: T[], key: keyof T) => [...items].sort((a, b) => String(a[key]).localeCompare(String(b[key])));

describe('manifest.yml', () => {
  it('declares the commands the handlers declare, with their descriptions and usage', () => {
    const inManifest = manifest.features.slash_commands.map(({ command, description, usage_hint }: any) => ({ command, description, usage_hint }));
    expect(byKey(inManifest, 'command')).toEqual(byKey(declared.slash_commands, 'command'));
  });

  it('declares the shortcuts the handlers declare', () => {
    expect(byKey(manifest.features.shortcuts, 'callback_id')).toEqual(byKey(declared.shortcuts, 'callback_id'));
  });

  it('subscribes to the events and asks for the scopes the app uses', () => {
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

    it.each(declared.slash_commands.map((c) => c.command))('%s is answered by its handler', async (command) => {
      slack.api.clear();
      const body = slashCommandBody(command, '', { user_id: SLACK_USERS.jamie.id, response_url: slack.api.responseUrl() });
      const trigger = new URLSearchParams(body).get('trigger_id');
      const response = await postToSlackEndpoint(slack.url, { body, contentType: 'application/x-www-form-urlencoded' });
      expect(response.status).toBe(200);
      // Its handler answered: a form opened with the trigger, or a reply through response_url.
      const answered = () =>
        slack.api.callsOf('response_url').length > 0 || slack.api.callsOf('views.open').some((c) => c.args.trigger_id === trigger);
      await eventually(answered);
    });

    it.each(declared.shortcuts.map((s) => [s.callback_id, s.type === 'message' ? 'message_action.json' : 'shortcut_global.json']))('%s opens the report form', async (callbackId, fixture) => {
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
