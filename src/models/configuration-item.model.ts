import { Schema } from 'mongoose';
import type { Level } from '../domain/priority';

export interface ConfigurationItemDoc {
  _id: string; // the configuration key
  name: string;
  type: string;
  service: string;
  owner?: string;
  criticality: Level;
  relations: { type: 'depends_on' | 'runs_on'; target: string }[];
  /** Lower-cased words of key and name, for type-ahead. */
  tokens: string[];
}

export const configurationItemSchema = new Schema<ConfigurationItemDoc>(
  {
    _id: String,
    name: { type: String, required: true },
    type: { type: String, required: true },
    service: { type: String, required: true },
    owner: String,
    criticality: String,
    relations: [new Schema({ type: String, target: String }, { _id: false })],
    tokens: [String],
  },
  { versionKey: false },
);

configurationItemSchema.index({ service: 1 });
configurationItemSchema.index({ 'relations.target': 1 }); // what is impacted when this item fails
configurationItemSchema.index({ tokens: 1 });
