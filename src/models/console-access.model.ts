import { Schema } from 'mongoose';

/** A person's sign-in token for an exposed web console: only its SHA-256 is kept. */
export interface ConsoleTokenDoc {
  /** The token's SHA-256, hex. */
  _id: string;
  personId: string;
  createdAt: Date;
  /** Set when the token is revoked: it signs nobody in after that. */
  revokedAt?: Date;
}

export const consoleTokenSchema = new Schema<ConsoleTokenDoc>(
  { _id: String, personId: { type: String, required: true }, createdAt: Date, revokedAt: Date },
  { versionKey: false },
);
consoleTokenSchema.index({ personId: 1 });

/** A signed-in browser: the cookie carries the session's secret, only its SHA-256 is kept. */
export interface ConsoleSessionDoc {
  _id: string;
  personId: string;
  /** Sent back by the page with every change (a header a cross-site form cannot set). */
  csrf: string;
  createdAt: Date;
  expiresAt: Date;
}

export const consoleSessionSchema = new Schema<ConsoleSessionDoc>(
  { _id: String, personId: { type: String, required: true }, csrf: { type: String, required: true }, createdAt: Date, expiresAt: Date },
  { versionKey: false },
);
consoleSessionSchema.index({ expiresAt: 1 });
