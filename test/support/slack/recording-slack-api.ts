import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
  /** The ts a successful chat.postMessage was given. */
  ts?: string;
  /** The bearer token the call carried (whose workspace it acts in). */
  token?: string;
}

export interface SlackUser {
  id: string;
  email?: string;
  name: string;
  locale?: string;
  tz?: string;
}

type Override = (call: RecordedCall) => { status: number; headers?: Record<string, string>; body: unknown } | undefined;

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    // WebClient sends nested values (blocks, view) as JSON strings inside the form.
    args[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return args;
}

/**
 * A stand-in for the Slack Web API on 127.0.0.1: records every call (method and arguments) and
 * answers as Slack does; `override` makes a call fail (a 429 with Retry-After, a 500).
 */
export class RecordingSlackApi {
  readonly calls: RecordedCall[] = [];
  readonly users = new Map<string, SlackUser>();
  override: Override | undefined;
  /** How long each answer takes (a slow Slack keeps the work after the acknowledgement in flight). */
  latencyMs = 0;
  /** What apps.connections.open hands out: the Socket Mode stand-in's address. */
  socketUrl = 'ws://127.0.0.1:1/unset';
  private server: Server | undefined;
  private nextTs = 1_700_000_000;

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/api/`;
  }

  /** A response_url that leads here (Slack's would lead to hooks.slack.com). */
  responseUrl(id = 'command'): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/response/${id}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, headers, body }) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  clear(): void {
    this.calls.length = 0;
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; headers?: Record<string, string>; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    // Web API calls arrive at /api/<method>; replies through a response_url at /response/<id>.
    const method = (req.url ?? '').startsWith('/response/') ? 'response_url' : ((req.url ?? '').replace(/^\/api\//, '').split('?')[0] as string);
    const call: RecordedCall = { method, args: parseBody(Buffer.concat(chunks).toString(), req.headers['content-type'] ?? ''), at: Date.now() };
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer) call.token = bearer;
    this.calls.push(call);
    const overridden = this.override?.(call);
    if (overridden) return overridden;
    return { status: 200, body: this.answer(call) };
  }

  /** What was posted (and answered ok) in a channel, or in one thread of it, newest first as Slack lists them. */
  private postedIn(channel: string, threadTs: string | undefined): unknown[] {
    return this.calls
      .filter((c) => c.method === 'chat.postMessage' && c.ts && c.args.channel === channel && (threadTs ? c.args.thread_ts === threadTs : !c.args.thread_ts))
      .map((c) => ({ type: 'message', ts: c.ts, text: c.args.text, ...(c.args.metadata ? { metadata: c.args.metadata } : {}) }))
      .reverse();
  }

  private answer(call: RecordedCall): unknown {
    switch (call.method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake-itsm-workspace.slack.com/', team: 'Fake', user: 'opsdesk', team_id: 'T00FAKE0001', user_id: 'U00FAKEBOT1', bot_id: 'B00FAKEBOT1' };
      case 'users.info': {
        const user = this.users.get(String(call.args.user));
        if (!user) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: { id: user.id, name: user.name, real_name: user.name, tz: user.tz, locale: user.locale, profile: { email: user.email, real_name: user.name } },
        };
      }
      case 'chat.postMessage':
        call.ts = `${this.nextTs++}.000100`;
        return { ok: true, channel: call.args.channel, ts: call.ts, message: {} };
      case 'apps.connections.open':
        return { ok: true, url: this.socketUrl };
      case 'oauth.v2.access':
        // Slack's answer to the code exchange of an install (OAuth v2), for team T00FAKE0002.
        return {
          ok: true, app_id: 'A00FAKEAPP1', authed_user: { id: 'U00FAKEUSR1' }, scope: 'chat:write,commands', token_type: 'bot',
          access_token: 'xoxb-installed-by-oauth', bot_user_id: 'U00FAKEBOT2', team: { id: 'T00FAKE0002', name: 'Installed' },
          enterprise: null, is_enterprise_install: false,
        };
      case 'users.lookupByEmail': {
        const user = [...this.users.values()].find((u) => u.email === call.args.email);
        return user ? { ok: true, user: { id: user.id, name: user.name } } : { ok: false, error: 'users_not_found' };
      }
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(call.args.users)}` } };
      case 'conversations.history':
        return { ok: true, messages: this.postedIn(String(call.args.channel), undefined), has_more: false };
      case 'conversations.replies':
        return { ok: true, messages: this.postedIn(String(call.args.channel), String(call.args.ts)), has_more: false };
      case 'chat.getPermalink':
        return { ok: true, channel: call.args.channel, permalink: `https://fake-itsm-workspace.slack.com/archives/${String(call.args.channel)}/p${String(call.args.message_ts).replace('.', '')}` };
      default:
        return { ok: true };
    }
  }
}
