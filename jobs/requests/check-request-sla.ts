import { undecidedApprovers } from '../../src/domain/approval-rules';
import { holderOf } from '../../src/domain/request-holder';
import { milestonesReached, type SlaMilestone } from '../../src/domain/sla-milestones';
import { formatInstant, t } from '../../src/i18n/translate';
import type { ServiceRequestDoc } from '../../src/models/service-request.model';
import { personIdForEmail } from '../../src/people/people-directory';
import { requestMilestones } from '../../src/services/request-watch';
import { requestCard } from '../../src/views/request-card';
import type { Announcement } from '../../src/views/view-model';
import type { JobContext } from '../job-context';

/**
 * A request's SLA timer fell due: for each running clock, the highest milestone reached is told
 * once to each person the request waits on (the notification id is the claim, so a second run
 * tells nobody twice); then the timer for the next milestone is set. Those it waits on are, per
 * group with an open task, the one of them who took it, else its members; or, while it waits for approval, the
 * current step's approvers who have not voted. At the response breach the fulfilment group's
 * managers are told too; at the fulfilment breach, its requester.
 */
export async function checkRequestSla(ctx: JobContext, ref: string): Promise<void> {
  // A timer set before the clocks were per request named its milestone too (`<number>:<percent>`).
  const [number = ''] = ref.split(':');
  const request = await ctx.requests.findById(number);
  if (!request) return;
  const reached = milestonesReached(requestMilestones(ctx.catalog, request), ctx.now()).sort((a, b) => b.percent - a.percent);
  const announcements: Announcement[] = [];
  for (const milestone of reached) {
    for (const personId of waitingOn(ctx, request, milestone)) {
      const reader = await ctx.people.actorById(personId);
      if (!reader) continue;
      const due = formatInstant(dueOf(request, milestone), reader.locale, reader.timeZone);
      const params = { number: request.number, title: request.title, percent: milestone.percent, due, clock: t(reader.locale, `request.sla.clock.${milestone.clock}`) };
      const text = t(reader.locale, milestone.percent >= 100 ? 'request.sla.breach' : 'request.sla.warning', params);
      const audience = { kind: 'person', id: reader.id, groups: reader.groups } as const;
      announcements.push({ reason: `request.sla.${milestone.clock}.${milestone.percent}`, recordId: request._id, audience: { kind: 'person', personId }, view: requestCard(request, reader, ctx.catalog, audience, text) });
    }
  }
  await ctx.notifier.announce(announcements);
  await ctx.requestWatch.scheduleNextMilestone(request);
}

const dueOf = (request: ServiceRequestDoc, milestone: SlaMilestone): Date =>
  (milestone.clock === 'response' ? request.sla.responseDueAt : request.sla.resolutionDueAt) ?? milestone.at;

function waitingOn(ctx: JobContext, request: ServiceRequestDoc, milestone: SlaMilestone): Set<string> {
  const people = new Set<string>();
  if (request.state === 'awaiting_approval') {
    for (const approver of undecidedApprovers(request.steps[request.currentStep])) people.add(approver.id);
  } else {
    const holder = holderOf(request, ctx.catalog);
    for (const task of request.tasks.filter((x) => x.state === 'open')) {
      // The one who has it, for their group's task; everyone of a group nobody of which has it.
      if (holder && ctx.catalog.isMember(task.group, holder)) people.add(holder);
      else for (const member of ctx.catalog.groups.get(task.group)?.members ?? []) people.add(personIdForEmail(member));
    }
  }
  if (milestone.percent >= 100 && milestone.clock === 'response') {
    for (const manager of ctx.catalog.groups.get(request.fulfilmentGroup)?.managers ?? []) people.add(personIdForEmail(manager));
  }
  if (milestone.percent >= 100 && milestone.clock === 'resolution') people.add(request.requesterId);
  return people;
}
