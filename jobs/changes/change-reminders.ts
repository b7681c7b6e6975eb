import { approvalRuleFor } from '../../src/domain/change-rules';
import { formatInstant, t } from '../../src/i18n/translate';
import type { ChangeDoc } from '../../src/models/change.model';
import { CHANGE_TIMERS } from '../../src/services/change-watch';
import { changeAnnouncements } from '../../src/views/change-announcements';
import { changeCard } from '../../src/views/change-card';
import { escalateStep, type EscalationTarget } from '../approval-escalation';
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

/**
 * A change's approval step past its rule's deadline (`<number>:<step>:<round>`): round 1 reminds
 * its undecided approvers, once, and, when the rule names an escalation person, sets round 2 a
 * deadline later; round 2 asks that person too (they become an approver of the step).
 */
export async function remindChangeApprovers(ctx: JobContext, ref: string): Promise<void> {
  const [number = '', stepText = '', roundText = '1'] = ref.split(':');
  const step = Number(stepText);
  const change = await ctx.changes.findById(number);
  if (change?.state !== 'assessment' || change.currentStep !== step) return;
  const rule = approvalRuleFor(ctx.catalog.config.changeApproval, change.type, change.risk);
  const startedAt = change.steps[step]?.startedAt;
  if (roundText !== '2') {
    await ctx.notifier.announce(await approvalReminders(ctx, change, step, 'change', (viewer, text) => changeCard(change, viewer, ctx.catalog, viewer, text)));
    if (rule?.deadline && rule.escalateTo && startedAt) {
      await ctx.wheel.schedule(CHANGE_TIMERS.approval, `${number}:${step}:2`, new Date(new Date(startedAt).getTime() + 2 * rule.deadline * 60_000));
    }
    return;
  }
  if (!rule?.escalateTo) return;
  const target: EscalationTarget<ChangeDoc> = { deciding: 'assessment', records: ctx.changes, announcements: (record) => changeAnnouncements(ctx, record) };
  await escalateStep(ctx, target, change, step, rule.escalateTo);
}
