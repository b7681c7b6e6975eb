import { Schema } from 'mongoose';

/** The ITSM configuration as loaded at the last start, with a hash to tell when it changed. */
export interface StoredConfigDoc {
  _id: string; // 'itsm'
  hash: string;
  loadedAt: Date;
  config: Record<string, unknown>;
}

export const storedConfigSchema = new Schema<StoredConfigDoc>(
  { _id: String, hash: String, loadedAt: Date, config: { type: Schema.Types.Mixed } },
  { versionKey: false, minimize: false },
);
