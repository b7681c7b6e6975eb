import { formatInstant, t } from '../../src/i18n/translate';
import { changeCard } from '../../src/views/change-card';
import { approvalReminders } from '../approval-reminders';
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

/** A change's approval step past its rule's deadline (`<number>:<step>`): its undecided approvers are reminded, once. */
export async function remindChangeApprovers(ctx: JobContext, ref: string): Promise<void> {
  const [number = '', stepText = ''] = ref.split(':');
  const step = Number(stepText);
  const change = await ctx.changes.findById(number);
  if (change?.state !== 'assessment' || change.currentStep !== step) return;
  await ctx.notifier.announce(await approvalReminders(ctx, change, step, 'change', (viewer, text) => changeCard(change, viewer, ctx.catalog, viewer, text)));
}
