import type { Database } from '../../../src/db/connect';
import { startHttpServer, type HttpServer } from '../../../src/server/http-server';
import { createSlackAdapter, SLACK_EVENTS_PATH } from '../../../adapters/slack/slack-app';
import { TestClock, buildApp, silentLogger } from '../../support/factories';
import { slashCommandBody } from '../../support/slack/fixtures';
import { RecordingSlackApi } from '../../support/slack/recording-slack-api';
import { SIGNING_SECRET, postToSlackEndpoint } from '../../support/slack/signed-request';
import { eventually } from '../../support/slack/slack-harness';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

const FORM = 'application/x-www-form-urlencoded' as const;

/** The install of a second workspace through Bolt's OAuth flow, over real HTTP, end to end. */
describe('Slack OAuth install (several workspaces)', () => {
  let database: Database;
  let api: RecordingSlackApi;
  let http: HttpServer;
  let base: string;

  beforeAll(async () => {
    database = await openTestDatabase('slack_oauth');
    api = new RecordingSlackApi();
    await api.start();
    api.users.set('U00FAKEUSR1', { id: 'U00FAKEUSR1', name: 'Jamie Song', email: 'jamie.song@example.com' });
    const app = await buildApp(database, new TestClock(new Date()));
    http = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      log: silentLogger(),
      databaseReady: database.ping,
      mount: (express) =>
        createSlackAdapter(
          app,
          { signingSecret: SIGNING_SECRET, clientId: '1111.2222', clientSecret: 'client-secret', stateSecret: 'state-secret', apiUrl: api.url },
          express,
        ),
    });
    base = `http://127.0.0.1:${http.port}`;
  });
  afterAll(async () => {
    await http.close(1000);
    await api.stop();
    await dropTestDatabase(database);
  });

  it('sends the installer to Slack, exchanges the code, stores the installation and then acts with its token', async () => {
    const install = await fetch(`${base}/slack/install`, { redirect: 'manual' });
    expect(install.status).toBe(302);
    const authorize = new URL(install.headers.get('location') ?? '');
    expect(authorize.origin + authorize.pathname).toBe('https://slack.com/oauth/v2/authorize');
    expect(authorize.searchParams.get('client_id')).toBe('1111.2222');
    expect(authorize.searchParams.get('scope')?.split(',')).toContain('chat:write');
    const state = authorize.searchParams.get('state') ?? '';
    const cookie = (install.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

    // A forged or missing state is refused and stores nothing.
    const forged = await fetch(`${base}/slack/oauth_redirect?code=fake-code&state=not-the-state`, { headers: { cookie } });
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(await database.models.SlackInstallation.countDocuments()).toBe(0);

    const callback = await fetch(`${base}/slack/oauth_redirect?code=fake-code&state=${encodeURIComponent(state)}`, { headers: { cookie } });
    expect(callback.status).toBe(200);
    expect(api.callsOf('oauth.v2.access')[0]?.args).toMatchObject({ code: 'fake-code', client_id: '1111.2222' });
    const stored = await database.models.SlackInstallation.findById('team:T00FAKE0002').lean();
    expect(JSON.parse(stored?.installation ?? '{}')).toMatchObject({ team: { id: 'T00FAKE0002' }, bot: { token: 'xoxb-installed-by-oauth' } });

    // A signed command from that workspace is answered with the installed workspace's token.
    const body = slashCommandBody('/incident', 'Printer on fire', { team_id: 'T00FAKE0002', user_id: 'U00FAKEUSR1' });
    const command = await postToSlackEndpoint(`${base}${SLACK_EVENTS_PATH}`, { body, contentType: FORM });
    expect(command.status).toBe(200);
    await eventually(() => api.callsOf('views.open').length === 1);
    expect(api.callsOf('views.open')[0]?.token).toBe('xoxb-installed-by-oauth');
  });
});
