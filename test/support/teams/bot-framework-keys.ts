import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';

export const BOT_APP_ID = '00000000-0000-4000-8000-0000000000b1';
export const CONNECTOR_ISSUER = 'https://api.botframework.com';

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** An RSA key as the Bot Connector's: a key id, and the JWK it publishes (endorsed for msteams). */
export class SigningKey {
  readonly kid = randomUUID();
  private readonly privateKey: KeyObject;
  readonly jwk: Record<string, unknown>;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    const { n, e } = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
    this.jwk = { kty: 'RSA', use: 'sig', kid: this.kid, x5t: this.kid, n, e, endorsements: ['msteams'] };
  }

  /** A token as the Connector signs it (RS256): issuer, audience = the bot, the activity's serviceUrl. */
  sign(claims: { serviceUrl: string; audience?: string; issuer?: string; expiresInSeconds?: number }): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', kid: this.kid, x5t: this.kid };
    const payload = {
      iss: claims.issuer ?? CONNECTOR_ISSUER,
      aud: claims.audience ?? BOT_APP_ID,
      nbf: now - 60,
      iat: now - 60,
      exp: now + (claims.expiresInSeconds ?? 3600),
      serviceurl: claims.serviceUrl,
    };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(this.privateKey);
    return `${signingInput}.${base64url(signature)}`;
  }
}

/** The Connector's OpenID metadata and its keys, on 127.0.0.1: only the keys given are published. */
export class BotFrameworkKeyServer {
  private server?: Server;
  url = '';

  constructor(private readonly published: SigningKey[]) {}

  get openIdMetadataUrl(): string {
    return `${this.url}/v1/.well-known/openidconfiguration`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/v1/.well-known/openidconfiguration') {
        res.end(JSON.stringify({ issuer: CONNECTOR_ISSUER, jwks_uri: `${this.url}/v1/.well-known/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
      } else if (req.url === '/v1/.well-known/keys') {
        res.end(JSON.stringify({ keys: this.published.map((k) => k.jwk) }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
