import { undecidedApprovers } from '../src/domain/approval-rules';
import type { Actor } from '../src/people/people-directory';
import { t } from '../src/i18n/translate';
import type { ApprovalStepDoc } from '../src/models/service-request.model';
import type { Announcement, CardView } from '../src/views/view-model';
import type { JobContext } from './job-context';

/**
 * A reminder, in their DM, to each approver of the step who has not voted, with the record's card
 * drawn for them; the reason (`<kind>.remind.<step>`) makes it once per approver and step.
 */
export async function approvalReminders(
  ctx: JobContext,
  record: { _id: string; number: string; title: string; requesterName: string; steps: readonly ApprovalStepDoc[] },
  step: number,
  kind: 'request' | 'change',
  draw: (viewer: Actor, text: string) => CardView,
): Promise<Announcement[]> {
  const announcements: Announcement[] = [];
  for (const approver of undecidedApprovers(record.steps[step])) {
    const viewer = await ctx.people.actorById(approver.id);
    if (!viewer) continue;
    const text = t(viewer.locale, 'request.remind', { number: record.number, title: record.title, requester: record.requesterName });
    announcements.push({ reason: `${kind}.remind.${step}`, recordId: record._id, audience: { kind: 'person', personId: approver.id }, view: draw(viewer, text) });
  }
  return announcements;
}
