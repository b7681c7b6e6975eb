import { createHmac } from 'node:crypto';

export const SIGNING_SECRET = 'opsdesk-test-signing-secret';

/**
 * Slack's signature: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:` followed by the raw body, with the
 * signing secret. Written here from Slack's documentation, not taken from the code under test.
 */
export function slackSignature(secret: string, timestamp: number | string, body: string | Buffer): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
}

export interface SlackPost {
  /** The body as sent; bytes for a body that is not valid UTF-8. */
  body: string | Buffer;
  contentType: 'application/x-www-form-urlencoded' | 'application/json' | (string & {});
  timestamp?: number;
  secret?: string;
  headers?: Record<string, string>;
}

/** POSTs to the app as Slack does: raw body, timestamp and signature headers. */
export async function postToSlackEndpoint(url: string, post: SlackPost): Promise<{ status: number; text: string; ms: number }> {
  const timestamp = post.timestamp ?? Math.floor(Date.now() / 1000);
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': post.contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(post.secret ?? SIGNING_SECRET, timestamp, post.body),
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      ...post.headers,
    },
    body: post.body,
  });
  const text = await response.text();
  return { status: response.status, text, ms: performance.now() - started };
}

/** An interaction payload as Slack sends it: one form field `payload` holding the JSON. */
export const interactionBody = (payload: unknown) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
