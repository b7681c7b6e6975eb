import { z } from 'zod';
import { defineHandler, result } from '../handler';

export const PEOPLE_IDS = { suggest: 'people.suggest' } as const;

/** How many suggestions one answer holds (Slack and Teams show about this many). */
const SUGGESTION_LIMIT = 100;

const words = (text: string) => text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);

/**
 * People from the configuration whose name or e-mail has a word starting with each word typed;
 * members of the group chosen in the same form only, when one is. The value is the e-mail.
 */
export const suggestPeople = defineHandler({
  id: PEOPLE_IDS.suggest,
  description: 'People whose name or e-mail starts with what is typed, of the chosen group if any.',
  entry: { suggest: true, toInput: (i) => ({ query: i.query ?? '', group: i.form?.group }) },
  input: z.object({ query: z.string().max(200).default(''), group: z.string().optional() }),
  async run(ctx, _actor, input) {
    const wanted = words(input.query);
    const members = input.group ? ctx.catalog.groups.get(input.group)?.members.map((m) => m.toLowerCase()) : undefined;
    const matches = [...ctx.catalog.people.values()].filter((person) => {
      if (members && !members.includes(person.email.toLowerCase())) return false;
      const tokens = [...words(person.name), ...words(person.email)];
      return wanted.every((w) => tokens.some((token) => token.startsWith(w)));
    });
    return result([
      {
        kind: 'options',
        options: matches.slice(0, SUGGESTION_LIMIT).map((p) => ({ value: p.email, label: `${p.name} <${p.email}>` })),
      },
    ]);
  },
});
