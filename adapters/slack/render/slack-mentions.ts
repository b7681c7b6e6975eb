import type { PeopleDirectory } from '../../../src/people/people-directory';
import type { CardView, View } from '../../../src/views/view-model';

/** Person id → Slack user id, for the people a message names: Slack shows each viewer a live mention. */
export type Mentions = ReadonlyMap<string, string>;

const cardsIn = (views: readonly View[]): CardView[] => views.flatMap((v) => (v.kind === 'card' ? [v] : v.kind === 'list' ? v.items : []));

/** The Slack users of the people named in the views' fields (those without a known Slack user keep their name). */
export async function mentionsIn(people: PeopleDirectory, views: readonly View[]): Promise<Mentions> {
  const ids = new Set(cardsIn(views).flatMap((card) => card.fields.flatMap((f) => (f.person ? [f.person.id] : []))));
  const mentions = new Map<string, string>();
  for (const id of ids) {
    const slackUser = await people.platformIdOf(id, 'slack');
    if (slackUser && /^[UW][A-Z0-9]{2,40}$/.test(slackUser)) mentions.set(id, slackUser);
  }
  return mentions;
}
