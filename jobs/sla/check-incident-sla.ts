import { channelReader, incidentCard, type Reader } from '../../src/views/incident-card';
import { milestonesReached, type SlaMilestone } from '../../src/domain/sla-milestones';
import { formatInstant, t } from '../../src/i18n/translate';
import type { IncidentDoc } from '../../src/models/incident.model';
import { personIdForEmail } from '../../src/people/people-directory';
import { incidentMilestones } from '../../src/services/incident-watch';
import type { NotificationRequest } from '../../src/services/notifier';
import type { CardView } from '../../src/views/view-model';
import { onCallAt } from '../../src/domain/on-call';
import type { JobContext } from '../job-context';

/**
 * An incident's SLA timer fell due: announce the highest milestone each running clock has
 * reached (into the card's thread, and to the assignee or, unassigned, the group; the last
 * warning and the breach also to the group's on-call), breaches first, then set the timer for the
 * next one. Earlier milestones of the same clock that nobody was told of (the scheduler stalled, a
 * priority rise jumped past them) are named in the same line rather than sent one by one.
 * Every notification is keyed by (incident, milestone, recipient), so running this twice, or
 * after a restart, tells nobody twice.
 */
export async function checkIncidentSla(ctx: JobContext, number: string): Promise<void> {
  const incident = await ctx.incidents.findById(number);
  if (!incident) return;
  const milestones = incidentMilestones(ctx.catalog, incident);
  const reached = milestonesReached(milestones, ctx.now()).sort((a, b) => b.percent - a.percent);
  for (const milestone of reached) {
    const passed = milestones.filter((m) => m.clock === milestone.clock && m.percent < milestone.percent && m.at.getTime() <= ctx.now().getTime());
    const untold: SlaMilestone[] = [];
    for (const m of passed) {
      if (!(await ctx.notifier.told(incident._id, reasonOf(m), { kind: 'thread', service: incident.service }))) untold.push(m);
    }
    await announce(ctx, incident, milestone, untold);
  }
  await ctx.watch.scheduleNextMilestone(incident);
}

const reasonOf = (milestone: SlaMilestone) => `sla.${milestone.clock}.${milestone.percent}`;

/** The target itself (what "due" means to a reader), whichever milestone this is. */
const dueOf = (incident: IncidentDoc, milestone: SlaMilestone): Date =>
  (milestone.clock === 'response' ? incident.sla.responseDueAt : incident.sla.resolutionDueAt) ?? milestone.at;

function milestoneCard(ctx: JobContext, incident: IncidentDoc, milestone: SlaMilestone, untold: readonly SlaMilestone[], reader: Reader): CardView {
  const key = milestone.percent >= 100 ? 'sla.breach' : 'sla.warning';
  const text = t(reader.locale, key, {
    number: incident.number,
    percent: milestone.percent,
    clock: t(reader.locale, `sla.clock.${milestone.clock}`),
    due: formatInstant(dueOf(incident, milestone), reader.locale, reader.timeZone),
  });
  const also = untold.length > 0 ? ` ${t(reader.locale, 'sla.untold', { percents: untold.map((m) => `${m.percent}%`).join(', ') })}` : '';
  return { ...incidentCard(incident, reader, ctx.catalog), text: `${text}${also}` };
}

async function announce(ctx: JobContext, incident: IncidentDoc, milestone: SlaMilestone, untold: readonly SlaMilestone[]): Promise<void> {
  const reason = reasonOf(milestone);
  const card = milestoneCard(ctx, incident, milestone, untold, channelReader(ctx.catalog));
  const requests: NotificationRequest[] = [{ recordId: incident._id, reason, audience: { kind: 'thread', service: incident.service }, view: card }];

  const recipients = new Set<string>();
  if (incident.assigneeId) recipients.add(incident.assigneeId);
  else for (const member of ctx.catalog.groups.get(incident.assignmentGroup)?.members ?? []) recipients.add(personIdForEmail(member));
  const lastWarning = Math.max(...ctx.catalog.warnThresholds(incident.service), 0);
  const schedule = ctx.catalog.onCallScheduleOf(incident.assignmentGroup);
  if (schedule && milestone.percent >= lastWarning) recipients.add(personIdForEmail(onCallAt(schedule, ctx.now()).person));

  for (const personId of recipients) {
    const view = milestoneCard(ctx, incident, milestone, untold, await ctx.people.readerOf(personId));
    requests.push({ recordId: incident._id, reason, audience: { kind: 'person', personId }, view });
  }
  await ctx.notifier.notifyAll(requests);
}
