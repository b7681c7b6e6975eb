import { z } from 'zod';

/** The input every action on one record's card carries: the record, and the version of the card clicked. */
export const onRecord = {
  recordId: z.string().trim().min(1),
  cardVersion: z.number().int().min(0).optional(),
};
