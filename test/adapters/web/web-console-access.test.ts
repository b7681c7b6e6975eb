import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Database } from '../../../src/db/connect';
import { StartupError } from '../../../src/startup-error';
import { mountWebConsole } from '../../../adapters/web/web-console';
import { JAMIE, SAM, TestClock, buildApp } from '../../support/factories';
import { dropTestDatabase, openTestDatabase, testDatabaseUri } from '../../support/test-database';
import { consoleCall, startWebHarness, type WebHarness } from '../../support/web/web-harness';

const ROOT = join(__dirname, '..', '..', '..');
const TOKEN_CLI = join(ROOT, 'dist', 'src', 'cli', 'console-token-cli.js');

const REPORT = { kind: 'submit', entry: 'incident.report', form: { summary: 'Printer on fire', service: 'laptops', impact: 'low', urgency: 'low' } };

/** A raw request, with any Host header (fetch will not send another host than the URL's). */
function rawRequest(url: string, path: string, options: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const call = request(`${url}${path}`, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    call.on('error', reject);
    call.end(options.body);
  });
}

describe('the web console on this machine (act as anyone)', () => {
  let database: Database;
  let web: WebHarness;
  const incidents = () => database.models.Incident.countDocuments();

  beforeAll(async () => {
    database = await openTestDatabase('web-console-access');
    web = await startWebHarness(database, new TestClock(new Date()));
  });
  afterAll(async () => {
    await web.close();
    await dropTestDatabase(database);
  });

  it('acts as the configured person the page chose, and lists whom it may choose', async () => {
    const me = await consoleCall(web.url, '/me', SAM);
    expect(me.status).toBe(200);
    expect(me.body.person).toMatchObject({ email: SAM, roles: ['agent'] });
    const people = await consoleCall(web.url, '/people', SAM);
    expect(people.body.people).toContainEqual({ email: JAMIE, name: 'Jamie Song', roles: [], groups: [] });
  });

  it('refuses someone not in the configuration, and a page that names no one', async () => {
    expect(await consoleCall(web.url, '/me', 'noa.newcomer@example.com')).toEqual({ status: 403, body: { error: 'noa.newcomer@example.com is not a configured person' } });
    const nobody = await rawRequest(web.url, '/console/api/me', {});
    expect(nobody.status).toBe(401);
  });

  it('refuses a page that reached it under another host name (a name rebound to this machine)', async () => {
    const rebound = await rawRequest(web.url, '/console/api/me', { headers: { host: 'attacker.example:80', 'x-opsdesk-act-as': SAM } });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body).error).toMatch(/only when opened on this machine/);
  });

  it('refuses a request relayed by a proxy on this machine: act-as is for the keyboard here only', async () => {
    const proxied = await consoleCall(web.url, '/me', SAM, undefined, { 'x-forwarded-for': '203.0.113.9' });
    expect(proxied.status).toBe(403);
    expect(proxied.body.error).toMatch(/not through a proxy: set OPSDESK_CONSOLE_SIGN_IN=tokens/);
  });

  it('answers odd requests 4xx, never 5xx: an Origin that is no URL, a vendor file named like an object property', async () => {
    const nullOrigin = await consoleCall(web.url, '/act', JAMIE, { kind: 'command', text: '/itsm help', requestKey: 'nullorigin1' }, { origin: 'null' });
    expect(nullOrigin.status).toBe(403);
    for (const name of ['constructor', 'toString', '__proto__', 'nothing.js']) expect((await fetch(`${web.url}/console/vendor/${name}`)).status).toBe(404);
  });

  it('refuses a change without the page\'s header or from another site, and changes nothing', async () => {
    const before = await incidents();
    const noHeader = await consoleCall(web.url, '/act', JAMIE, { ...REPORT, requestKey: 'nocsrf0001' }, { 'x-opsdesk-csrf': '' });
    expect(noHeader.status).toBe(403);
    const crossSite = await consoleCall(web.url, '/act', JAMIE, { ...REPORT, requestKey: 'crosssite1' }, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(await incidents()).toBe(before);
  });

  it('answers a malformed act 400 with what is wrong, and changes nothing', async () => {
    const before = await incidents();
    expect(await consoleCall(web.url, '/act', JAMIE, { kind: 'submit', entry: 'incident.report', form: {} })).toEqual({ status: 400, body: { error: expect.stringMatching(/^requestKey: /) } });
    expect(await consoleCall(web.url, '/act', JAMIE, { kind: 'explode', requestKey: 'abcdefgh12' })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^kind: /) } });
    expect(await consoleCall(web.url, '/act', JAMIE, { kind: 'action', entry: 'incident.report', requestKey: 'abcdefgh13' })).toEqual({ status: 400, body: { error: 'incident.report is not a card entry point' } });
    const notJson = await rawRequest(web.url, '/console/api/act', { method: 'POST', headers: { 'content-type': 'application/json', 'x-opsdesk-act-as': JAMIE, 'x-opsdesk-csrf': 'act-as' }, body: '{"kind": ' });
    expect(notJson).toEqual({ status: 400, body: JSON.stringify({ error: 'the body must be JSON' }) });
    const huge = await consoleCall(web.url, '/act', JAMIE, { kind: 'command', text: 'x'.repeat(100_000), requestKey: 'abcdefgh14' });
    expect(huge.status).toBe(413);
    expect(await incidents()).toBe(before);
  });

  it('tells the person beside each field what a form is missing, and creates nothing', async () => {
    const before = await incidents();
    const answer = await consoleCall(web.url, '/act', JAMIE, { kind: 'submit', entry: 'incident.report', form: { service: 'laptops' }, requestKey: 'missing001' });
    expect(answer.status).toBe(200);
    expect(answer.body.views[0]).toMatchObject({ kind: 'notice', tone: 'error', fieldErrors: { summary: expect.any(String), impact: expect.any(String) } });
    expect(await incidents()).toBe(before);
  });

  it('does an act sent again with the same id (its answer lost) once', async () => {
    const before = await incidents();
    const first = await consoleCall(web.url, '/act', JAMIE, { ...REPORT, requestKey: 'retry00001' });
    const again = await consoleCall(web.url, '/act', JAMIE, { ...REPORT, requestKey: 'retry00001' });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(await incidents()).toBe(before + 1);
  });

  it('authorises in the handler: an employee cannot acknowledge', async () => {
    const reported = await consoleCall(web.url, '/act', JAMIE, { ...REPORT, requestKey: 'toack00001' });
    const recordId = reported.body.views.find((v: { kind: string }) => v.kind === 'card')?.recordId as string;
    const refused = await consoleCall(web.url, '/act', JAMIE, { kind: 'action', entry: 'incident.ack', recordId, requestKey: 'ackjamie01' });
    expect(refused.body.views[0]).toMatchObject({ kind: 'notice', tone: 'error' });
    expect((await database.models.Incident.findById(recordId).lean())?.state).toBe('new');
  });

  it('reads only the conversations the person may read', async () => {
    expect((await consoleCall(web.url, `/messages?conversation=${encodeURIComponent(`person:email:${SAM}`)}`, JAMIE)).status).toBe(403);
    expect((await consoleCall(web.url, '/messages?conversation=service%3Alaptops', JAMIE)).status).toBe(200);
  });

  it('streams what changes to the page as it happens', async () => {
    const controller = new AbortController();
    const stream = await fetch(`${web.url}/console/api/events?as=${encodeURIComponent(SAM)}`, { signal: controller.signal });
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    const reader = stream.body!.getReader();
    let received = '';
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        received += Buffer.from(value).toString();
        if (received.includes('Streamed printer')) return;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await consoleCall(web.url, '/act', JAMIE, { ...REPORT, form: { ...REPORT.form, summary: 'Streamed printer' }, requestKey: 'streamed01' });
    await web.idle();
    await Promise.race([reading, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    controller.abort();
    expect(received).toMatch(/event: message\ndata: \{.*"conversation":"service:laptops".*Streamed printer/);
  });
});

describe('the web console exposed beyond this machine', () => {
  let database: Database;

  beforeAll(async () => {
    database = await openTestDatabase('web-console-exposed');
  });
  afterAll(() => dropTestDatabase(database));

  it('refuses to start without sign-in', async () => {
    const app = await buildApp(database, new TestClock(new Date()));
    expect(() => mountWebConsole(app, {} as never, { host: '0.0.0.0' })).toThrow(StartupError);
    expect(() => mountWebConsole(app, {} as never, { host: '0.0.0.0' })).toThrow(/OPSDESK_CONSOLE_SIGN_IN=tokens/);
  });

  describe('with sign-in by token', () => {
    let web: WebHarness;
    const tokenFor = async (email: string) => web.app.web.signIn.createToken(`email:${email}`);
    const signIn = (token: string, headers: Record<string, string> = { 'x-opsdesk-csrf': 'sign-in' }) =>
      fetch(`${web.url}/console/api/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ token }) });

    beforeAll(async () => {
      web = await startWebHarness(database, new TestClock(new Date()), { signIn: 'tokens' });
    });
    afterAll(() => web.close());

    it('offers no acting as someone else', async () => {
      expect((await consoleCall(web.url, '/people', SAM)).status).toBe(403);
      expect((await consoleCall(web.url, '/me', SAM)).status).toBe(401);
    });

    it('signs a person in with their token only, stores the token hashed, and they act as themselves alone', async () => {
      const token = await tokenFor(JAMIE);
      expect(await database.models.ConsoleToken.countDocuments({ _id: token })).toBe(0);
      expect((await signIn('odt_wrong')).status).toBe(401);
      // A sign-in form on another site cannot sign the browser in.
      expect((await signIn(token, {})).status).toBe(403);
      const signedIn = await signIn(token);
      expect(signedIn.status).toBe(200);
      const cookie = signedIn.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^opsdesk_session=[^;]+; HttpOnly; Secure; SameSite=Strict; Path=\//);
      const session = { cookie: cookie.split(';')[0]! };
      // Naming someone else changes nothing: the session's person acts.
      const me = await consoleCall(web.url, '/me', SAM, undefined, session);
      expect(me.body.person.email).toBe(JAMIE);
      const { csrf } = me.body as { csrf: string };
      const withoutToken = await consoleCall(web.url, '/act', SAM, { kind: 'command', text: '/itsm mine', requestKey: 'signed0001' }, { ...session, 'x-opsdesk-csrf': 'act-as' });
      expect(withoutToken.status).toBe(403);
      const acted = await consoleCall(web.url, '/act', SAM, { kind: 'command', text: '/itsm mine', requestKey: 'signed0002' }, { ...session, 'x-opsdesk-csrf': csrf });
      expect(acted.status).toBe(200);

      await consoleCall(web.url, '/sign-out', JAMIE, {}, { ...session, 'x-opsdesk-csrf': csrf });
      expect((await consoleCall(web.url, '/me', JAMIE, undefined, session)).status).toBe(401);
    });

    it('answers a cookie that is not one of ours 401, not 500', async () => {
      expect((await consoleCall(web.url, '/me', JAMIE, undefined, { cookie: 'opsdesk_session=%zz%' })).status).toBe(401);
    });

    it('signs nobody in with a revoked token', async () => {
      const token = await tokenFor(SAM);
      await web.app.web.signIn.revoke(`email:${SAM}`);
      expect((await signIn(token)).status).toBe(401);
    });
  });

  it('npm run console:token prints a token once for a configured person, and refuses anyone else', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [TOKEN_CLI, ...args], { cwd: ROOT, env: { ...process.env, MONGODB_URI: testDatabaseUri(), MONGODB_DB: database.connection.name } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.once('exit', (code) => resolve({ code, stdout, stderr }));
      });
    const made = await run(['casey.lim@example.com']);
    expect(made.code).toBe(0);
    const token = /^(odt_\S+)$/m.exec(made.stdout)?.[1];
    expect(token).toBeDefined();
    const app = await buildApp(database, new TestClock(new Date()));
    expect((await app.web.signIn.signIn(token!))?.session.personId).toBe('email:casey.lim@example.com');
    const stranger = await run(['noa.newcomer@example.com']);
    expect(stranger).toMatchObject({ code: 1, stderr: expect.stringMatching(/^noa\.newcomer@example\.com is not a person in /) });
  });
});
