import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import express, { type Express, type Request, type Response } from 'express';
import { usageLine } from '../../handlers/commands';
import type { App } from '../../src/app';
import { StartupError } from '../../src/startup-error';
import { t } from '../../src/i18n/translate';
import { SESSION_MAX_AGE_S } from '../../src/services/console-sign-in';
import { isLoopback, SESSION_COOKIE, cookieOf, sameSiteChange, servedLocally, type ConsoleMode } from './console-access';
import { CachedDashboard } from './cached-dashboard';
import { identify, type Identified } from './console-identity';
import { LiveFeed } from './live-feed';
import { conversationOf, mayRead } from './web-conversations';
import { runWebAct, webActSchema } from './web-interaction';
import { WebNotificationDeliverer } from './web-notification-deliverer';

export interface WebConsoleSettings {
  /** Where the server listens: act-as is offered only on a loopback address. */
  host: string;
  /** `tokens`: people sign in with a token made by `npm run console:token`; required off this machine. */
  signIn?: 'tokens' | undefined;
}

export interface WebConsole {
  mode: ConsoleMode;
  feed: LiveFeed;
  /** Ends the pages' live streams (they would hold the server open while it stops). */
  stop(): void;
}

/** The page's files: beside this module when run from source, under the repository when built. */
function publicFolder(): string {
  const beside = join(__dirname, 'public');
  return existsSync(beside) ? beside : resolve(__dirname, '../../../adapters/web/public');
}

/** The chart library's browser builds, served from the installed package (no CDN). */
const vendorFiles = (): Record<string, string> => ({
  'vega.min.js': join(dirname(require.resolve('vega')), 'vega.min.js'),
  'vega-lite.min.js': join(dirname(require.resolve('vega-lite')), 'vega-lite.min.js'),
});

/** How often a page's live stream is kept open and its person asked for again. */
const STREAM_BEAT_MS = 15_000;

/** The sign-in form's header value: before a session there is no session's token to send. */
const SIGN_IN_CSRF = 'sign-in';

const SECURITY_HEADERS = {
  // Vega compiles its chart expressions with Function: hence 'unsafe-eval'; nothing is loaded from elsewhere.
  'Content-Security-Policy': "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
};

/**
 * The third surface: a chat-like console in the browser over the same declared handlers and
 * neutral views, with its notifications delivered by the same outbox. On this machine anyone may
 * act as any configured person; exposed, it refuses to start without sign-in.
 */
export function mountWebConsole(app: App, expressApp: Express, settings: WebConsoleSettings): WebConsole {
  const local = isLoopback(settings.host);
  if (!local && settings.signIn !== 'tokens') {
    throw new StartupError(
      `HOST=${settings.host} exposes the web console, which offers acting as anyone without sign-in: set OPSDESK_CONSOLE_SIGN_IN=tokens (then make each person a token with npm run console:token -- <e-mail>), or OPSDESK_CONSOLE=off, or HOST=127.0.0.1`,
    );
  }
  const mode: ConsoleMode = settings.signIn === 'tokens' ? 'sign-in' : 'act-as';
  const { ctx, log } = app;
  const { signIn, messages } = app.web;
  const feed = new LiveFeed(messages, log);
  const dashboard = new CachedDashboard(app.web.dashboard);
  const streams = new Set<Response>();
  app.jobs.notifier.register(new WebNotificationDeliverer(messages, ctx.now));

  const api = express.Router();
  api.use(express.json({ limit: '64kb' }));
  api.use((_req, res, next) => {
    res.set({ ...SECURITY_HEADERS, 'Cache-Control': 'no-store' });
    next();
  });

  /** The person behind the request, or the refusal already answered. */
  const who = async (req: Request, res: Response, change = false) => {
    const found: Identified = await identify(app, signIn, mode, req, { change });
    if ('refused' in found) {
      res.status(found.refused).json({ error: found.error });
      return undefined;
    }
    return found;
  };

  api.get('/me', async (req, res) => {
    const found = await who(req, res);
    if (!found) return;
    const { actor, csrf } = found;
    const { catalog } = ctx;
    const commands = [...app.registry.commands.values()].flat().filter((c) => !c.entry.fallback || c.entry.words);
    res.json({
      mode,
      csrf,
      person: { id: actor.id, name: actor.name, email: actor.email, roles: actor.roles, groups: actor.groups, locale: actor.locale, timeZone: actor.timeZone },
      conversations: [
        { id: conversationOf.person(actor.id), name: actor.name, kind: 'person' },
        ...[...catalog.services.values()].map((s) => ({ id: conversationOf.service(s.key), name: s.name, kind: 'service' })),
        ...[...catalog.groups.values()].map((g) => ({ id: conversationOf.group(g.key), name: g.name, kind: 'group' })),
        { id: conversationOf.majorIncidents, name: 'major-incidents', kind: 'major' },
      ],
      commands: commands.map((c) => ({ usage: usageLine(c.entry), summary: t(actor.locale, c.entry.summary) })),
    });
  });

  // Whom a page on this machine may act as: the configured people, with their roles.
  api.get('/people', (req, res) => {
    if (mode !== 'act-as' || !servedLocally(req)) {
      res.status(403).json({ error: 'acting as someone else is offered only by a console on this machine' });
      return;
    }
    res.json({
      people: ctx.catalog.config.people.map((p) => ({ email: p.email.toLowerCase(), name: p.name, roles: p.roles, groups: ctx.catalog.groupsOf(p.email.toLowerCase()) })),
    });
  });

  api.get('/messages', async (req, res) => {
    const found = await who(req, res);
    if (!found) return;
    const conversation = String(req.query.conversation ?? '');
    if (!mayRead(found.actor.id, conversation)) {
      res.status(403).json({ error: `${found.actor.name} may not read ${conversation || 'that conversation'}` });
      return;
    }
    res.json({ messages: await messages.latest(conversation, 200) });
  });

  api.post('/act', async (req, res) => {
    const found = await who(req, res, true);
    if (!found) return;
    const parsed = webActSchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      res.status(400).json({ error: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'not understood'}` });
      return;
    }
    const answer = await runWebAct(app, found.actor, parsed.data);
    if (answer.status === 400) res.status(400).json({ error: answer.error });
    else res.json({ views: answer.views });
  });

  api.get('/dashboard', async (req, res) => {
    const found = await who(req, res);
    if (!found) return;
    res.json(await dashboard.read(found.actor));
  });

  // The page's live updates: what changes in the conversations the person may read.
  api.get('/events', async (req, res) => {
    const found = await who(req, res);
    if (!found) return;
    const personId = found.actor.id;
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write('retry: 1000\n\n');
    const stopListening = feed.listen((message) => {
      if (mayRead(personId, message.conversation)) res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
    });
    // Every beat asks again who the page is: a session signed out or revoked ends its stream.
    const beat = setInterval(() => {
      void identify(app, signIn, mode, req, { change: false }).then((still) => {
        if ('refused' in still || still.actor.id !== personId) res.end();
        else res.write(': beat\n\n');
      }, () => res.write(': beat\n\n'));
    }, STREAM_BEAT_MS);
    streams.add(res);
    req.on('close', () => {
      clearInterval(beat);
      stopListening();
      streams.delete(res);
    });
  });

  api.post('/sign-in', async (req, res) => {
    if (mode !== 'sign-in') {
      res.status(404).json({ error: 'this console does not sign in: it is opened on this machine' });
      return;
    }
    // A sign-in form of another site could sign the browser in as its own person.
    if (!sameSiteChange(req, SIGN_IN_CSRF)) {
      res.status(403).json({ error: "signing in must come from the console's own page" });
      return;
    }
    const token = typeof req.body?.token === 'string' ? req.body.token.trim() : '';
    const signedIn = token ? await signIn.signIn(token) : null;
    if (!signedIn) {
      res.status(401).json({ error: 'this token signs nobody in: ask an administrator for a new one (npm run console:token)' });
      return;
    }
    // Secure always: a console that signs people in is one served beyond this machine, over HTTPS.
    res.set('Set-Cookie', `${SESSION_COOKIE}=${signedIn.secret}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=${SESSION_MAX_AGE_S}`);
    res.json({ signedIn: true });
  });

  api.post('/sign-out', async (req, res) => {
    const found = await who(req, res, true);
    if (!found) return;
    await signIn.signOut(cookieOf(req, SESSION_COOKIE));
    res.set('Set-Cookie', `${SESSION_COOKIE}=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0`);
    res.json({ signedIn: false });
  });

  api.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: express.NextFunction) => {
    // A body that is not JSON, or too large: the sender's mistake, said so.
    if (error.status && error.status < 500) {
      res.status(error.status).json({ error: error.type === 'entity.too.large' ? 'the request is too large' : 'the body must be JSON' });
      return;
    }
    const errorId = randomUUID();
    log.error({ err: error, errorId }, 'console request failed');
    res.status(500).json({ error: `the console could not answer (error ${errorId}): tell your administrator this id` });
  });

  expressApp.use('/console/api', api);
  const files = publicFolder();
  const vendor = vendorFiles();
  expressApp.get('/console/vendor/:file', (req, res) => {
    const path = Object.hasOwn(vendor, req.params.file) ? vendor[req.params.file] : undefined;
    if (!path) {
      res.status(404).json({ error: 'not found' });
      return;
    }
    res.set(SECURITY_HEADERS).sendFile(path, { maxAge: '1d' });
  });
  expressApp.use('/console/assets', (_req, res, next) => {
    res.set(SECURITY_HEADERS);
    next();
  }, express.static(files, { index: false, maxAge: 0 }));
  const page = (_req: Request, res: Response) => res.set({ ...SECURITY_HEADERS, 'Cache-Control': 'no-store' }).sendFile(join(files, 'index.html'));
  expressApp.get('/', page);
  expressApp.get('/console', page);
  expressApp.get('/console/dashboard', page);

  return {
    mode,
    feed,
    stop() {
      for (const stream of streams) stream.end();
      streams.clear();
      feed.stop();
    },
  };
}
