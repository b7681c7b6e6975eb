import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { App } from '../../../src/app';
import type { Database } from '../../../src/db/connect';
import { startHttpServer, type HttpServer } from '../../../src/server/http-server';
import { createTeamsAdapter, TEAMS_MESSAGES_PATH } from '../../../adapters/teams/teams-app';
import type { ItsmConfig } from '../../../src/config/itsm-config-schema';
import { TestClock, buildApp, buildConfig, recordingLogger, silentLogger } from '../factories';
import { BotConnectorStandIn, type TeamsMember } from './bot-connector-stand-in';
import { BOT_APP_ID, BotFrameworkKeyServer, SigningKey } from './bot-framework-keys';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'teams');
export const teamsFixture = (name: string): any => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));

/** Teams users of the example configuration's people (their e-mail is how opsdesk knows them). */
export const TEAMS_USERS = {
  jamie: { id: '29:1FakeUserIdForAcceptanceTests00000000000000000000000000000000000000000001', aadObjectId: '00000000-0000-4000-8000-0000000000c1', name: 'Jamie Song', email: 'jamie.song@example.com' },
  sam: { id: '29:1FakeSamUserId', aadObjectId: '00000000-0000-4000-8000-0000000000c2', name: 'Sam Lee', email: 'sam.lee@example.com' },
} satisfies Record<string, TeamsMember>;

/** The Teams team the example configuration's channels belong to, and those channels (by group). */
export const TEAMS_TEAM_ID = '19:FakeTeamId0000000000000000000000001@thread.tacv2';
export const TEAMS_CHANNELS: Record<string, string> = {
  'service-desk': '19:service-desk@thread.tacv2',
  messaging: '19:messaging@thread.tacv2',
};

/** The example configuration with a Teams channel for each group that has a Slack one (the services use their group's). */
export function teamsConfig(): ItsmConfig {
  return buildConfig((input) => {
    for (const group of input.groups ?? []) {
      const channel = TEAMS_CHANNELS[group.key];
      if (channel) group.channels = { ...(group.channels ?? {}), teams: channel };
    }
  });
}

export interface TeamsHarness {
  app: App;
  logs: Record<string, unknown>[];
  connector: BotConnectorStandIn;
  key: SigningKey;
  url: string;
  /** Posts an activity as the Connector does (signed by the published key unless told otherwise). */
  post(activity: object, options?: { token?: string | null; rawBody?: string }): Promise<{ status: number; body: any }>;
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** opsdesk with its Teams adapter on a real HTTP server; the Connector and its keys on 127.0.0.1. */
export async function startTeamsHarness(database: Database, clock: TestClock = new TestClock(new Date()), config?: ItsmConfig): Promise<TeamsHarness> {
  const key = new SigningKey();
  const keys = new BotFrameworkKeyServer([key]);
  const connector = new BotConnectorStandIn();
  await Promise.all([keys.start(), connector.start()]);
  for (const member of Object.values(TEAMS_USERS)) connector.members.set(member.id, member);
  const { log, entries } = recordingLogger();
  const app = await buildApp(database, clock, config, log);
  const http: HttpServer = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    log: silentLogger(),
    databaseReady: database.ping,
    mount: (express) =>
      void createTeamsAdapter(
        app,
        { appId: BOT_APP_ID, appPassword: 'test-secret', appType: 'MultiTenant', openIdMetadataUrl: keys.openIdMetadataUrl, loginUrl: connector.loginUrl, tenants: ['00000000-0000-4000-8000-0000000000a1'] },
        express,
      ),
  });
  const url = `http://127.0.0.1:${http.port}${TEAMS_MESSAGES_PATH}`;
  return {
    app,
    logs: entries,
    connector,
    key,
    url,
    post: async (activity, options = {}) => {
      const token = options.token === undefined ? key.sign({ serviceUrl: (activity as { serviceUrl: string }).serviceUrl }) : options.token;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: options.rawBody ?? JSON.stringify(activity),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // Not JSON: kept as text.
      }
      return { status: response.status, body };
    },
    idle: async () => {
      await app.work.drain(5000);
      await app.jobs.wheel.idle();
      await app.jobs.notifier.idle();
    },
    close: async () => {
      await http.close(1000);
      await Promise.all([keys.stop(), connector.stop()]);
    },
  };
}

/** A personal-chat message from a user, in the fixture's shape, at the stand-in's serviceUrl. */
export function personalMessage(harness: TeamsHarness, text: string, from: TeamsMember = TEAMS_USERS.jamie): any {
  const activity = teamsFixture('message_personal');
  return { ...activity, id: `${Date.now()}${Math.floor(Math.random() * 1000)}`, text, attachments: [], serviceUrl: harness.connector.serviceUrl, from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId } };
}

/** A Universal Action (`adaptiveCard/action`) in the fixture's shape: a click or a form's submission. */
export function cardAction(harness: TeamsHarness, verb: string, data: Record<string, unknown>, from: TeamsMember = TEAMS_USERS.jamie, replyToId = '1767765488332'): any {
  const activity = teamsFixture('invoke_adaptiveCard_action');
  return {
    ...activity,
    id: `f:${randomUUID()}`,
    serviceUrl: harness.connector.serviceUrl,
    replyToId,
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    value: { action: { type: 'Action.Execute', title: verb, verb, data }, trigger: 'manual' },
  };
}
