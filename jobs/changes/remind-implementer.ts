import { formatInstant, t } from '../../src/i18n/translate';
import { changeCard } from '../../src/views/change-card';
import type { JobContext } from '../job-context';

/**
 * A scheduled change's window opens within the hour: its implementer (its requester) is reminded
 * in their DM, once (the reminder's notification id is its claim), with its card and Start.
 */
export async function remindImplementer(ctx: JobContext, number: string): Promise<void> {
  const change = await ctx.changes.findById(number);
  if (change?.state !== 'scheduled') return;
  const implementer = await ctx.people.actorById(change.requesterId);
  if (!implementer) return;
  const start = formatInstant(new Date(change.windowStart), implementer.locale, implementer.timeZone);
  const text = t(implementer.locale, 'change.remind', { number: change.number, title: change.title, start });
  await ctx.notifier.announce([
    { reason: 'change.window', recordId: change._id, audience: { kind: 'person', personId: change.requesterId }, view: changeCard(change, implementer, ctx.catalog, implementer, text) },
  ]);
}
