import { Schema } from 'mongoose';

export interface PauseDoc {
  start: Date;
  end?: Date | null;
}

export const pauseSchema = new Schema<PauseDoc>({ start: { type: Date, required: true }, end: Date }, { _id: false });

export interface CommentDoc {
  authorId: string;
  authorName: string;
  text: string;
  at: Date;
}

export const commentSchema = new Schema<CommentDoc>(
  { authorId: String, authorName: String, text: String, at: Date },
  { _id: false },
);

/** Fields every audited record carries: its optimistic version and the head of its audit chain. */
export const auditedRecordFields = {
  version: { type: Number, required: true, default: 1 },
  auditHead: { type: String, required: true },
} as const;
