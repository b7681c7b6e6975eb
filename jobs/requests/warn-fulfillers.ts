import { undecidedApprovers } from '../../src/domain/approval-rules';
import { formatInstant, t } from '../../src/i18n/translate';
import type { ServiceRequestDoc } from '../../src/models/service-request.model';
import { personIdForEmail } from '../../src/people/people-directory';
import { requestCard } from '../../src/views/request-card';
import type { Announcement } from '../../src/views/view-model';
import type { JobContext } from '../job-context';

/**
 * A request's fulfilment clock reached a milestone (`<number>:<percent>`): those it waits on are
 * told once each (the notification id is the claim): the members of the groups with an open task,
 * or, while it waits for approval, the current step's approvers who have not voted; at the breach,
 * its requester too.
 */
export async function warnFulfillers(ctx: JobContext, ref: string): Promise<void> {
  const [number = '', percentText = ''] = ref.split(':');
  const request = await ctx.requests.findById(number);
  if (!request || !request.resolutionDueAt || (request.state !== 'in_fulfilment' && request.state !== 'awaiting_approval')) return;
  const percent = Number(percentText);
  const announcements: Announcement[] = [];
  for (const personId of waitingOn(ctx, request, percent >= 100)) {
    const reader = await ctx.people.actorById(personId);
    if (!reader) continue;
    const due = formatInstant(new Date(request.resolutionDueAt), reader.locale, reader.timeZone);
    const text = percent >= 100 ? t(reader.locale, 'request.sla.breach', { number: request.number, title: request.title, due }) : t(reader.locale, 'request.sla.warning', { number: request.number, title: request.title, percent, due });
    announcements.push({ reason: `request.sla.${percent}`, recordId: request._id, audience: { kind: 'person', personId }, view: requestCard(request, reader, ctx.catalog, { kind: 'person', id: reader.id, groups: reader.groups }, text) });
  }
  await ctx.notifier.announce(announcements);
}

function waitingOn(ctx: JobContext, request: ServiceRequestDoc, breach: boolean): Set<string> {
  const people = new Set<string>();
  if (request.state === 'in_fulfilment') {
    for (const task of request.tasks.filter((x) => x.state === 'open')) {
      for (const member of ctx.catalog.groups.get(task.group)?.members ?? []) people.add(personIdForEmail(member));
    }
  } else {
    for (const approver of undecidedApprovers(request.steps[request.currentStep])) people.add(approver.id);
  }
  if (breach) people.add(request.requesterId);
  return people;
}
