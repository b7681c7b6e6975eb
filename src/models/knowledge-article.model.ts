import { Schema } from 'mongoose';
import { auditedRecordFields } from './shared-schemas';

export interface KnowledgeArticleDoc {
  /** The human number (INC0001001): claimed once, it is the record's key. */
  _id: string;
  number: string;
  title: string;
  body: string;
  service?: string;
  /** Lower-cased words of title and body: searched with an index and ranked in code (no text indexes on FerretDB). */
  tokens: string[];
  sourceRecord?: string;
  authorId: string;
  state: 'draft' | 'published' | 'retired';
  helpfulVotes: number;
  version: number;
  auditHead: string;
  createdAt: Date;
  updatedAt: Date;
}

export const knowledgeArticleSchema = new Schema<KnowledgeArticleDoc>(
  {
    _id: String,
    number: { type: String, required: true },
    title: { type: String, required: true },
    body: { type: String, required: true },
    service: String,
    tokens: [String],
    sourceRecord: String,
    authorId: { type: String, required: true },
    state: { type: String, required: true, default: 'draft' },
    helpfulVotes: { type: Number, default: 0 },
    ...auditedRecordFields,
  },
  { timestamps: true, versionKey: false },
);

knowledgeArticleSchema.index({ tokens: 1, state: 1 });
