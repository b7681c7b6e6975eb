import { createHmac, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** Slack's window: a request signed more than 5 minutes ago, or ahead of us, is refused. */
export const MAX_SKEW_SECONDS = 5 * 60;
/** Slack's own payloads stay far below this; Bolt's default limit. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** The request's body exactly as it arrived, for the signature and the parser after it. */
export interface RawBodyRequest extends Request {
  rawBody?: Buffer;
}

function readBody(req: Request, limit: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop reading at once: the rest is not worth receiving.
        req.removeAllListeners('data');
        req.pause();
        resolve('too_large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('the request was aborted'));
    });
  });
}

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:` followed by the body's bytes. */
export function slackSignatureOf(secret: string, timestamp: string, body: Buffer): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
}

/**
 * Slack's request signing, checked over the raw bytes (a body that is not valid UTF-8 is signed as
 * sent, so decoding it first would refuse a genuine request), with the timestamp refused when more
 * than 5 minutes old *or ahead* (Bolt accepts future ones, which lets a captured request be replayed
 * later). A refused request gets 401 and reaches nothing else.
 */
export function verifySlackSignature(signingSecret: string, now: () => number = Date.now) {
  return async (req: RawBodyRequest, res: Response, next: NextFunction): Promise<void> => {
    const header = req.header('x-slack-request-timestamp');
    const timestamp = header && /^\d{1,12}$/.test(header) ? Number(header) : NaN;
    if (!Number.isFinite(timestamp) || Math.abs(Math.floor(now() / 1000) - timestamp) > MAX_SKEW_SECONDS) {
      res.status(401).json({ error: 'stale, future-dated or missing X-Slack-Request-Timestamp' });
      return;
    }
    const declared = Number(req.header('content-length') ?? 0);
    if (declared > MAX_BODY_BYTES) {
      res.status(413).set('connection', 'close').json({ error: `the request body is over ${MAX_BODY_BYTES} bytes` });
      return;
    }
    let body: Buffer | 'too_large';
    try {
      body = await readBody(req, MAX_BODY_BYTES);
    } catch {
      res.status(400).json({ error: 'the request body could not be read' });
      return;
    }
    if (body === 'too_large') {
      res.status(413).set('connection', 'close').json({ error: `the request body is over ${MAX_BODY_BYTES} bytes` });
      return;
    }
    const expected = Buffer.from(slackSignatureOf(signingSecret, header as string, body));
    const given = Buffer.from(req.header('x-slack-signature') ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.status(401).json({ error: 'the X-Slack-Signature does not match the body' });
      return;
    }
    req.rawBody = body;
    next();
  };
}
