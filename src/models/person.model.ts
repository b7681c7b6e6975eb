import { Schema } from 'mongoose';
import type { Role } from '../domain/roles';

export interface PersonDoc {
  /** `email:<address>` when the e-mail is known, else the first platform identity. */
  _id: string;
  email?: string;
  name: string;
  locale?: string;
  timeZone?: string;
  roles: Role[];
  groups: string[];
  manager?: string;
  identities: { platform: string; id: string }[];
}

export const personSchema = new Schema<PersonDoc>(
  {
    _id: String,
    email: String,
    name: { type: String, required: true },
    locale: String,
    timeZone: String,
    roles: [String],
    groups: [String],
    manager: String,
    identities: [new Schema({ platform: String, id: String }, { _id: false })],
  },
  { versionKey: false, timestamps: true },
);

personSchema.index({ groups: 1 });

/** `slack:T123:U456` → person id: how a platform user is recognised, one document per identity. */
export interface PlatformIdentityDoc {
  _id: string;
  personId: string;
}

export const platformIdentitySchema = new Schema<PlatformIdentityDoc>(
  { _id: String, personId: { type: String, required: true } },
  { versionKey: false },
);
platformIdentitySchema.index({ personId: 1 });
