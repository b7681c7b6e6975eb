import type { Request } from 'express';
import type { App } from '../../src/app';
import { supportedLocale } from '../../src/i18n/translate';
import { personIdForEmail, type Actor } from '../../src/people/people-directory';
import type { ConsoleSignIn } from '../../src/services/console-sign-in';
import { ACT_AS_HEADER, cookieOf, CSRF_HEADER, SESSION_COOKIE, sameSiteChange, servedLocally, type ConsoleMode } from './console-access';

/** The fixed token of a console on this machine: its worth is being a header a cross-site form cannot send. */
export const ACT_AS_CSRF = 'act-as';

export type Identified = { actor: Actor; csrf: string } | { refused: 401 | 403; error: string };

/**
 * Who a console request is from. On this machine, whoever the page acts as (any configured
 * person, chosen per tab); exposed, the person whose session the cookie opens, and no one else.
 * The page's chosen language is the actor's for this request.
 */
export async function identify(app: App, signIn: ConsoleSignIn, mode: ConsoleMode, req: Request, options: { change: boolean }): Promise<Identified> {
  let personId: string;
  let csrf: string;
  if (mode === 'act-as') {
    if (!servedLocally(req)) return { refused: 403, error: 'this console acts as people only when opened on this machine (127.0.0.1 or localhost), not through a proxy: set OPSDESK_CONSOLE_SIGN_IN=tokens to serve it further' };
    const email = String(req.headers[ACT_AS_HEADER] ?? req.query.as ?? '').trim().toLowerCase();
    if (!email) return { refused: 401, error: `choose whom to act as (the ${ACT_AS_HEADER} header: a configured person's e-mail)` };
    if (!app.ctx.catalog.config.people.some((p) => p.email.toLowerCase() === email)) return { refused: 403, error: `${email} is not a configured person` };
    personId = personIdForEmail(email);
    csrf = ACT_AS_CSRF;
  } else {
    const session = await signIn.session(cookieOf(req, SESSION_COOKIE));
    if (!session) return { refused: 401, error: 'sign in with your console token' };
    // Someone taken out of the configuration is nobody here any more, whatever their session says.
    if (!app.ctx.catalog.config.people.some((p) => personIdForEmail(p.email) === session.personId)) return { refused: 403, error: 'this person is no longer a configured person' };
    personId = session.personId;
    csrf = session.csrf;
  }
  if (options.change && !sameSiteChange(req, csrf)) return { refused: 403, error: `a change must come from the console's own page (the ${CSRF_HEADER} header)` };
  const actor = await app.ctx.people.actorById(personId);
  if (!actor) return { refused: 403, error: 'this person is not known to opsdesk' };
  const locale = supportedLocale(String(req.headers['x-opsdesk-locale'] ?? ''));
  return { actor: locale ? { ...actor, locale } : actor, csrf };
}
