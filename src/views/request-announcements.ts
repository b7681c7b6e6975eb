import type { ItsmCatalog } from '../config/itsm-catalog';
import type { MessageKey } from '../i18n/messages.en';
import { t } from '../i18n/translate';
import type { ServiceRequestDoc } from '../models/service-request.model';
import { personIdForEmail, type PeopleDirectory } from '../people/people-directory';
import { channelReader } from './incident-card';
import { requestCard } from './request-card';
import type { Announcement } from './view-model';

/** What the requester is told when their request reaches a milestone (none: nothing to tell). */
export type Milestone = { key: MessageKey; reason: string; params: Record<string, string> };

/**
 * Everyone's card of the request, redrawn: the requester's, each approver's so far, and each
 * fulfilment group's (in its channel, or to its members without one); and the requester's message
 * for a milestone. Each card is posted once and edited in place after.
 */
export async function requestAnnouncements(ctx: { catalog: ItsmCatalog; people: PeopleDirectory }, request: ServiceRequestDoc, milestone?: Milestone): Promise<Announcement[]> {
  const people = new Set<string>([request.requesterId]);
  request.steps.slice(0, request.currentStep + 1).forEach((s) => s.approvers.forEach((a) => people.add(a.id)));
  const groups = request.state === 'awaiting_approval' ? [] : [...new Set(request.tasks.filter((task) => task.state !== 'waiting').map((task) => task.group))];
  for (const group of groups) {
    const config = ctx.catalog.groups.get(group);
    if (config && !config.channels.slack && !config.channels.teams) for (const member of config.members) people.add(personIdForEmail(member));
  }
  const announcements: Announcement[] = [];
  for (const personId of people) {
    const viewer = await ctx.people.actorById(personId);
    if (!viewer) continue;
    const asked = personId !== request.requesterId && request.state === 'awaiting_approval' && request.steps[request.currentStep]?.approvers.some((a) => a.id === personId);
    const text = asked ? t(viewer.locale, 'request.approvalAsked', { requester: request.requesterName, title: request.title, number: request.number }) : undefined;
    announcements.push({
      reason: 'request.card',
      recordId: request._id,
      audience: { kind: 'personCard', personId },
      view: requestCard(request, viewer, ctx.catalog, { kind: 'person', id: viewer.id, groups: viewer.groups }, text),
    });
  }
  for (const group of groups.filter((g) => ctx.catalog.groups.get(g)?.channels.slack || ctx.catalog.groups.get(g)?.channels.teams)) {
    announcements.push({
      reason: 'request.card',
      recordId: request._id,
      audience: { kind: 'groupCard', group },
      view: requestCard(request, channelReader(ctx.catalog), ctx.catalog, { kind: 'group', group }),
    });
  }
  if (milestone) {
    const reader = await ctx.people.readerOf(request.requesterId);
    announcements.push({
      reason: milestone.reason,
      recordId: request._id,
      audience: { kind: 'person', personId: request.requesterId },
      view: requestCard(request, reader, ctx.catalog, { kind: 'person', id: request.requesterId, groups: [] }, t(reader.locale, milestone.key, milestone.params)),
    });
  }
  return announcements;
}

