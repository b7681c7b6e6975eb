import { z } from 'zod';
import { defineHandler, result } from '../handler';

export const CMDB_IDS = { suggest: 'cmdb.suggest' } as const;

/** How many suggestions one answer holds (Slack and Teams show about this many). */
const SUGGESTION_LIMIT = 100;

export const suggestConfigurationItems = defineHandler({
  id: CMDB_IDS.suggest,
  description: 'Configuration items whose key or name has a word starting with each word typed, of the chosen service if any.',
  entry: { suggest: true, toInput: (i) => ({ query: i.query ?? '', service: i.form?.service }) },
  input: z.object({ query: z.string().max(200).default(''), service: z.string().optional() }),
  async run(ctx, _actor, input) {
    const words = input.query.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    const matches = ctx.configurationItems.matching(words, input.service, SUGGESTION_LIMIT);
    return result([
      {
        kind: 'options',
        options: matches.map((ci) => ({ value: ci._id, label: `${ci.name} (${ci.service})` })),
      },
    ]);
  },
});
