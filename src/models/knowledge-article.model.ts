import { Schema, Types } from 'mongoose';
import { auditedRecordFields } from './shared-schemas';

export interface KnowledgeArticleDoc {
  _id: Types.ObjectId;
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

knowledgeArticleSchema.index({ number: 1 }, { unique: true });
knowledgeArticleSchema.index({ tokens: 1, state: 1 });
