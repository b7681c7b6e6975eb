import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CHANNEL_BURST, METHOD_TIERS, POSTS_PER_CHANNEL_PER_SECOND } from '../../../adapters/slack/slack-limits';

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
  /** The ts a successful chat.postMessage was given. */
  ts?: string;
  /** The bearer token the call carried (whose workspace it acts in). */
  token?: string;
  /** Where a chat.postMessage landed: its channel, or for a user id the app's DM with them. */
  channel?: string;
  /** Refused with 429: over Slack's published limit for the method or the channel. */
  limited?: boolean;
  /** For a reply through a response_url: the id the URL was made with (`responseUrl(id)`). */
  responseId?: string;
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

/** Posting to a user id posts into the app's direct message with them. */
const landingChannel = (channel: string) => (/^[UW][A-Z0-9]+$/.test(channel) ? `D${channel}` : channel);

/**
 * A stand-in for the Slack Web API on 127.0.0.1: records every call (method and arguments) and
 * answers as Slack does, Slack's published rate limits included (adapters/slack/slack-limits.ts:
 * each method's per-minute tier per workspace, and chat.postMessage's message a second per channel
 * with a short burst), refused with 429 and Retry-After; `override` makes a call fail (a 500…).
 */
export class RecordingSlackApi {
  readonly calls: RecordedCall[] = [];
  readonly users = new Map<string, SlackUser>();
  override: Override | undefined;
  /** How long each answer takes (a slow Slack keeps the work after the acknowledgement in flight). */
  latencyMs = 0;
  /** What apps.connections.open hands out: the Socket Mode stand-in's address. */
  socketUrl = 'ws://127.0.0.1:1/unset';
  /** Whether Slack's rate limits are enforced (on, as Slack does; a test of something else may turn them off). */
  enforceLimits = true;
  private readonly methodCalls = new Map<string, number[]>();
  private readonly channelBuckets = new Map<string, { tokens: number; at: number }>();
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
    if (method === 'response_url') call.responseId = decodeURIComponent((req.url ?? '').slice('/response/'.length));
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (bearer) call.token = bearer;
    this.calls.push(call);
    const overridden = this.override?.(call);
    if (overridden) return overridden;
    const retryAfter = this.enforceLimits ? this.overLimit(call) : 0;
    if (retryAfter > 0) {
      call.limited = true;
      return { status: 429, headers: { 'retry-after': String(retryAfter) }, body: { ok: false, error: 'ratelimited' } };
    }
    return { status: 200, body: this.answer(call) };
  }

  /** Calls refused with 429. */
  get limitedCalls(): RecordedCall[] {
    return this.calls.filter((c) => c.limited);
  }

  /** Seconds to wait when the call is over a limit, else 0. */
  private overLimit(call: RecordedCall): number {
    const workspace = call.token ?? '';
    if (call.method === 'chat.postMessage') {
      const key = `${workspace}:${landingChannel(String(call.args.channel))}`;
      const bucket = this.channelBuckets.get(key) ?? { tokens: CHANNEL_BURST, at: call.at };
      bucket.tokens = Math.min(CHANNEL_BURST, bucket.tokens + ((call.at - bucket.at) / 1000) * POSTS_PER_CHANNEL_PER_SECOND);
      bucket.at = call.at;
      this.channelBuckets.set(key, bucket);
      if (bucket.tokens < 1) return Math.ceil((1 - bucket.tokens) / POSTS_PER_CHANNEL_PER_SECOND);
      bucket.tokens -= 1;
      return 0;
    }
    const perMinute = METHOD_TIERS[call.method];
    if (!perMinute) return 0;
    const key = `${workspace}:${call.method}`;
    const recent = (this.methodCalls.get(key) ?? []).filter((at) => at > call.at - 60_000);
    if (recent.length >= perMinute) {
      this.methodCalls.set(key, recent);
      return Math.ceil(((recent[0] as number) + 60_000 - call.at) / 1000);
    }
    recent.push(call.at);
    this.methodCalls.set(key, recent);
    return 0;
  }

  /** What was posted (and answered ok) in a channel, or in one thread of it, newest first as Slack lists them. */
  private postedIn(channel: string, threadTs: string | undefined): unknown[] {
    return this.calls
      .filter((c) => c.method === 'chat.postMessage' && c.ts && c.channel === channel && (threadTs ? c.args.thread_ts === threadTs : !c.args.thread_ts))
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
        call.channel = landingChannel(String(call.args.channel));
        return { ok: true, channel: call.channel, ts: call.ts, message: {} };
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
