import { Schema } from 'mongoose';

/** Where a record's card lives on one platform, so updates edit it and reply in its thread. */
export interface CardLocation {
  platform: 'slack' | 'teams' | 'web';
  channel: string;
  messageId: string;
  threadId?: string;
}

export const cardLocationSchema = new Schema<CardLocation>(
  {
    platform: { type: String, required: true },
    channel: { type: String, required: true },
    messageId: { type: String, required: true },
    threadId: String,
  },
  { _id: false },
);

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
