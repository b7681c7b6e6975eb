import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Request } from 'express';

export const SESSION_COOKIE = 'opsdesk_session';
/** The header every change carries: a cross-site form cannot set it, and a cross-site script may not (no CORS here). */
export const CSRF_HEADER = 'x-opsdesk-csrf';
/** The person a page acts as, where acting as anyone is offered (a console on this machine only). */
export const ACT_AS_HEADER = 'x-opsdesk-act-as';

export type ConsoleMode = 'act-as' | 'sign-in';

/** Whether the address reaches this machine only (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

/** The host a request names, without its port. */
function hostOf(req: Request): string {
  const header = req.headers.host ?? '';
  return header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.split(':')[0]!;
}

/**
 * Act-as is offered only on this machine: a page from elsewhere that reaches 127.0.0.1 (a DNS name
 * rebound to it) names another host, and one relayed by a proxy on this machine (which would carry
 * anyone's request here, under this machine's own name) says so in its forwarding headers.
 */
export function servedLocally(req: Request): boolean {
  const relayed = ['x-forwarded-for', 'forwarded', 'x-real-ip', 'x-forwarded-host'].some((h) => req.headers[h] !== undefined);
  return !relayed && isLoopback(hostOf(req));
}

/** A change must come from the console's own page: its header, and no other site's origin. */
export function sameSiteChange(req: Request, expectedCsrf: string): boolean {
  const origin = req.headers.origin;
  if (origin && hostOfUrl(origin) !== req.headers.host) return false;
  if (req.headers['sec-fetch-site'] && !['same-origin', 'none'].includes(String(req.headers['sec-fetch-site']))) return false;
  const sent = String(req.headers[CSRF_HEADER] ?? '');
  return sent.length === expectedCsrf.length && sent.length > 0 && timingSafeEqual(Buffer.from(sent), Buffer.from(expectedCsrf));
}

/** An Origin's host, or none for one that is not a URL (`null` from a sandboxed frame). */
function hostOfUrl(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/** The cookie's value from the request's Cookie header (opsdesk's own are base64url: taken as they are). */
export function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

