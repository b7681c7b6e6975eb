import { z } from 'zod';

/** A page is chosen by a click on a list's page button (its value) or typed after the command (`/itsm queue 2`). */
export const pageInput = {
  toInput: (i: { value?: string; argument?: string }) => ({ page: i.value ?? (i.argument?.trim() || undefined) }),
  input: z.object({ page: z.coerce.number().int().min(1).max(100_000).default(1) }),
};
