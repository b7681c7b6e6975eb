import type { Database } from '../../../src/db/connect';
import { createSlackAdapter, type SlackAdapter } from '../../../adapters/slack/slack-app';
import { TestClock, buildApp, buildConfig, recordingLogger } from '../../support/factories';
import { slashCommandBody } from '../../support/slack/fixtures';
import { RecordingSlackApi } from '../../support/slack/recording-slack-api';
import { eventually } from '../../support/slack/slack-harness';
import { SocketModeServer } from '../../support/slack/socket-mode-server';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

/** Development without a public address: the same listeners over Slack's Socket Mode WebSocket. */
describe('Slack Socket Mode', () => {
  let database: Database;
  let api: RecordingSlackApi;
  let socket: SocketModeServer;
  let slack: SlackAdapter;
  const { log, entries: logs } = recordingLogger();

  beforeAll(async () => {
    database = await openTestDatabase('slack_socket');
    api = new RecordingSlackApi();
    await api.start();
    api.users.set('U00FAKEUSR1', { id: 'U00FAKEUSR1', name: 'Jamie Song', email: 'jamie.song@example.com' });
    socket = new SocketModeServer();
    await socket.start();
    api.socketUrl = socket.url;
    const app = await buildApp(database, new TestClock(new Date()), buildConfig(), log);
    slack = createSlackAdapter(app, { appToken: 'xapp-test', botToken: 'xoxb-test', apiUrl: api.url }, undefined);
    await slack.start();
    await socket.connection;
  });
  afterAll(async () => {
    await slack.stop(); // starts the close handshake; the stand-in stays until it is over
    await socket.disconnection;
    await socket.stop();
    await api.stop();
    await dropTestDatabase(database);
  });

  it('connects with the app-level token and answers a slash command envelope: acknowledged, then the modal', async () => {
    expect(slack.mode).toBe('socket');
    expect(api.callsOf('apps.connections.open')[0]?.token).toBe('xapp-test');
    const payload = Object.fromEntries(new URLSearchParams(slashCommandBody('/incident', 'Wi-Fi down on floor 2')));
    const ack = await socket.send({ envelope_id: 'env-1', type: 'slash_commands', payload, accepts_response_payload: true });
    expect(ack.envelope_id).toBe('env-1');
    await eventually(() => api.callsOf('views.open').length === 1);
    const view = api.callsOf('views.open')[0]?.args.view as { blocks: unknown[] };
    expect(JSON.stringify(view.blocks)).toContain('Wi-Fi down on floor 2');
  });

  it('acknowledges a redelivered event envelope but handles it once', async () => {
    const event = {
      token: 'x', team_id: 'T00FAKE0001', api_app_id: 'A00FAKEAPP1', type: 'event_callback', event_id: 'Ev0SOCKET01', event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_home_opened', user: 'U00FAKEUSR1', channel: 'D00FAKE', tab: 'home', event_ts: `${Date.now() / 1000}` },
    };
    await socket.send({ envelope_id: 'env-2', type: 'events_api', payload: event });
    await eventually(() => api.callsOf('views.publish').length === 1);
    const again = await socket.send({ envelope_id: 'env-3', type: 'events_api', payload: event, retry_attempt: 1 });
    expect(again.envelope_id).toBe('env-3');
    // The redelivery has been seen and dropped (logged) before the count is checked.
    await eventually(() => logs.some((l) => l.requestKey === 'event:Ev0SOCKET01' && String(l.msg).startsWith('Slack request already handled')));
    expect(api.callsOf('views.publish')).toHaveLength(1);
  });
});
