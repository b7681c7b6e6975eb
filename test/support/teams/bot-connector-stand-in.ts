import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorCall {
  method: string;
  path: string;
  authorization?: string;
  body: any;
  /** The id the stand-in answered a post or an update with. */
  answeredId?: string;
}

export interface TeamsMember {
  id: string;
  name: string;
  aadObjectId: string;
  email: string;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (chunk: Buffer) => (data += chunk.toString()));
    req.on('end', () => resolve(data));
  });

/**
 * The Bot Connector on 127.0.0.1 (the activities' serviceUrl) and the bot's login endpoint:
 * records every call, answers the replies and updates, describes the members it knows, and issues
 * the bot's own token (client credentials).
 */
export class BotConnectorStandIn {
  readonly calls: ConnectorCall[] = [];
  readonly members = new Map<string, TeamsMember>();
  /** Each team's channels, as `GET /v3/teams/{team}/conversations` lists them. */
  readonly teamChannels = new Map<string, { id: string; name: string }[]>();
  readonly tokensIssued: string[] = [];
  /** Refusals to answer the next posts with, in order (a status, and Retry-After in seconds). */
  readonly refusals: { status: number; retryAfterSeconds?: number }[] = [];
  private server?: Server;
  private next = 1;
  url = '';

  /** The serviceUrl activities carry. */
  get serviceUrl(): string {
    return `${this.url}/amer/`;
  }

  /** `ToChannelFromBotLoginUrl`: the token endpoint is `<this>/oauth2/v2.0/token`. */
  get loginUrl(): string {
    return `${this.url}/botframework.com`;
  }

  async start(): Promise<void> {
    this.server = createServer(async (req, res) => {
      const raw = await readBody(req);
      const path = (req.url ?? '').split('?')[0]!;
      res.setHeader('content-type', 'application/json');
      if (path.endsWith('/oauth2/v2.0/token')) {
        const token = `bot-token-${this.next++}`;
        this.tokensIssued.push(token);
        res.end(JSON.stringify({ token_type: 'Bearer', expires_in: 3600, access_token: token }));
        return;
      }
      const body = raw && req.headers['content-type']?.includes('json') ? JSON.parse(raw) : raw;
      const call: ConnectorCall = { method: req.method ?? '', path: decodeURIComponent(path), ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), body };
      this.calls.push(call);
      const team = /\/v3\/teams\/([^/]+)\/conversations$/.exec(decodeURIComponent(path));
      if (req.method === 'GET' && team) {
        const channels = this.teamChannels.get(team[1]!);
        res.statusCode = channels ? 200 : 404;
        res.end(JSON.stringify(channels ? { conversations: channels } : { error: { code: 'NotFound' } }));
        return;
      }
      const member = /\/members\/([^/]+)$/.exec(decodeURIComponent(path));
      if (req.method === 'GET' && member) {
        const known = this.members.get(member[1]!);
        res.statusCode = known ? 200 : 404;
        res.end(JSON.stringify(known ? { ...known, userPrincipalName: known.email, tenantId: 'tenant' } : { error: { code: 'MemberNotFoundInConversation' } }));
        return;
      }
      const refusal = req.method === 'POST' && /\/activities(\/[^/]+)?$/.test(path) ? this.refusals.shift() : undefined;
      if (refusal) {
        res.statusCode = refusal.status;
        if (refusal.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(refusal.retryAfterSeconds));
        res.end(JSON.stringify({ error: { code: 'Throttled', message: 'refused by the stand-in' } }));
        return;
      }
      const put = /\/activities\/([^/]+)$/.exec(path);
      call.answeredId = req.method === 'PUT' && put ? decodeURIComponent(put[1]!) : `activity-${this.next++}`;
      res.end(JSON.stringify({ id: call.answeredId }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The messages posted into conversations (replies), newest last. */
  posted(): ConnectorCall[] {
    return this.calls.filter((c) => c.method === 'POST' && /\/v3\/conversations\/[^/]+\/activities/.test(c.path));
  }

  /** The messages updated in place. */
  updated(): ConnectorCall[] {
    return this.calls.filter((c) => c.method === 'PUT' && /\/v3\/conversations\/[^/]+\/activities\/[^/]+$/.test(c.path));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
