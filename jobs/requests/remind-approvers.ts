import type { ServiceRequestDoc } from '../../src/models/service-request.model';
import { REQUEST_TIMERS } from '../../src/services/request-watch';
import { requestAnnouncements } from '../../src/views/request-announcements';
import { requestCard } from '../../src/views/request-card';
import { escalateStep, type EscalationTarget } from '../approval-escalation';
import { approvalReminders } from '../approval-reminders';
import type { JobContext } from '../job-context';

/**
 * An approval step past its deadline: round 1 reminds each approver who has not voted (once, in
 * their DM) and sets round 2 a deadline later; round 2 asks the item's escalation person too (an
 * audited change: they become an approver of the step and get its card). Nothing happens to a
 * step decided meanwhile; a run repeated (two processes, a retry) changes nothing more.
 */
export async function remindApprovers(ctx: JobContext, ref: string): Promise<void> {
  const [number = '', stepText = '', roundText = ''] = ref.split(':');
  const step = Number(stepText);
  const request = await ctx.requests.findById(number);
  if (!request || request.state !== 'awaiting_approval' || request.currentStep !== step) return;
  const item = ctx.catalog.config.catalog.find((c) => c.key === request.catalogItem);
  const startedAt = request.steps[step]?.startedAt;
  if (!item?.approvalDeadline || !startedAt) return;
  if (roundText === '1') {
    await ctx.notifier.announce(await approvalReminders(ctx, request, step, 'request', (viewer, text) => requestCard(request, viewer, ctx.catalog, { kind: 'person', id: viewer.id, groups: viewer.groups }, text)));
    await ctx.wheel.schedule(REQUEST_TIMERS.approval, `${number}:${step}:2`, new Date(new Date(startedAt).getTime() + 2 * item.approvalDeadline * 60_000));
    return;
  }
  if (roundText === '2' && item.escalateTo) {
    const target: EscalationTarget<ServiceRequestDoc> = { deciding: 'awaiting_approval', records: ctx.requests, announcements: (record) => requestAnnouncements(ctx, record) };
    await escalateStep(ctx, target, request, step, item.escalateTo);
  }
}
