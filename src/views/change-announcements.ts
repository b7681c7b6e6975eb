import type { ItsmCatalog } from '../config/itsm-catalog';
import { t } from '../i18n/translate';
import type { ChangeDoc } from '../models/change.model';
import { personIdForEmail, type PeopleDirectory } from '../people/people-directory';
import { changeCard } from './change-card';
import type { Milestone } from './request-announcements';
import type { Announcement } from './view-model';

/**
 * Everyone's card of the change, redrawn: the requester's, each approver's so far (the CAB's live
 * tally), each change manager's while a freeze waits on their override; and the requester's message
 * for a milestone. Each card is posted once and edited in place after.
 */
export async function changeAnnouncements(ctx: { catalog: ItsmCatalog; people: PeopleDirectory }, change: ChangeDoc, milestone?: Milestone): Promise<Announcement[]> {
  const people = new Set<string>([change.requesterId]);
  change.steps.slice(0, change.currentStep + 1).forEach((s) => s.approvers.forEach((a) => people.add(a.id)));
  // A freeze waits on a change manager's override: each of them sees the change and the button.
  if ((change.state === 'assessment' || change.state === 'scheduled') && change.freezes.length > 0 && !change.freezeOverride) {
    for (const person of ctx.catalog.config.people) if (person.roles.includes('change_manager')) people.add(personIdForEmail(person.email));
  }
  const announcements: Announcement[] = [];
  for (const personId of people) {
    const viewer = await ctx.people.actorById(personId);
    if (!viewer) continue;
    const asked = personId !== change.requesterId && change.state === 'assessment' && change.steps[change.currentStep]?.approvers.some((a) => a.id === personId);
    const text = asked ? t(viewer.locale, 'request.approvalAsked', { requester: change.requesterName, title: change.title, number: change.number }) : undefined;
    announcements.push({ reason: 'change.card', recordId: change._id, audience: { kind: 'personCard', personId }, view: changeCard(change, viewer, ctx.catalog, viewer, text) });
  }
  if (milestone) {
    const requester = await ctx.people.actorById(change.requesterId);
    if (requester) {
      announcements.push({
        reason: milestone.reason,
        recordId: change._id,
        audience: { kind: 'person', personId: change.requesterId },
        view: changeCard(change, requester, ctx.catalog, requester, t(requester.locale, milestone.key, milestone.params)),
      });
    }
  }
  return announcements;
}
