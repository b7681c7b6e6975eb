import { createHash, randomBytes } from 'node:crypto';
import type { Models } from '../models/models';
import type { ConsoleSessionDoc } from '../models/console-access.model';

const SESSION_DAYS = 14;
export const SESSION_MAX_AGE_S = SESSION_DAYS * 86_400;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Sign-in tokens (stored hashed) and the sessions they open, shared by every process through the database. */
export class ConsoleSignIn {
  constructor(
    private readonly models: Models,
    private readonly now: () => Date,
  ) {}

  /** A new token for the person: shown once, only its hash kept. */
  async createToken(personId: string): Promise<string> {
    const token = `odt_${randomBytes(24).toString('base64url')}`;
    await this.models.ConsoleToken.create({ _id: sha256(token), personId, createdAt: this.now() });
    return token;
  }

  /** Revokes every token of the person and ends their sessions; how many tokens were revoked. */
  async revoke(personId: string): Promise<number> {
    const { modifiedCount } = await this.models.ConsoleToken.updateMany({ personId, revokedAt: { $exists: false } }, { $set: { revokedAt: this.now() } });
    await this.models.ConsoleSession.deleteMany({ personId });
    return modifiedCount;
  }

  /** A session for the token's person, or null for a token that is unknown or revoked. */
  async signIn(token: string): Promise<{ secret: string; session: ConsoleSessionDoc } | null> {
    const found = await this.models.ConsoleToken.findById(sha256(token)).lean();
    if (!found || found.revokedAt) return null;
    const secret = randomBytes(32).toString('base64url');
    const at = this.now();
    const session: ConsoleSessionDoc = {
      _id: sha256(secret),
      personId: found.personId,
      csrf: randomBytes(18).toString('base64url'),
      createdAt: at,
      expiresAt: new Date(at.getTime() + SESSION_DAYS * 86_400_000),
    };
    await this.models.ConsoleSession.create(session);
    return { secret, session };
  }

  async session(secret: string | undefined): Promise<ConsoleSessionDoc | null> {
    if (!secret) return null;
    const session = await this.models.ConsoleSession.findById(sha256(secret)).lean();
    return session && session.expiresAt > this.now() ? session : null;
  }

  async signOut(secret: string | undefined): Promise<void> {
    if (secret) await this.models.ConsoleSession.deleteOne({ _id: sha256(secret) });
  }
}

