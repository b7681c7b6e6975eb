import { channelReader, incidentCard, type Reader } from '../../src/views/incident-card';
import { milestonesReached, type SlaMilestone } from '../../src/domain/sla-milestones';
import { formatInstant, t } from '../../src/i18n/translate';
import type { IncidentDoc } from '../../src/models/incident.model';
import { personIdForEmail } from '../../src/people/people-directory';
import { incidentMilestones } from '../../src/services/incident-watch';
import type { CardView } from '../../src/views/view-model';
import { onCallAt } from '../../src/domain/on-call';
import type { JobContext } from '../job-context';

/**
 * An incident's SLA timer fell due: announce the highest milestone each running clock has
 * reached (into the card's thread, and to the assignee or, unassigned, the group; the last
 * warning and the breach also to the group's on-call), then set the timer for the next one.
 * Every notification is keyed by (incident, milestone, recipient), so running this twice, or
 * after a restart, tells nobody twice.
 */
export async function checkIncidentSla(ctx: JobContext, number: string): Promise<void> {
  const incident = await ctx.incidents.findById(number);
  if (!incident) return;
  for (const milestone of milestonesReached(incidentMilestones(ctx.catalog, incident), ctx.now())) {
    await announce(ctx, incident, milestone);
  }
  await ctx.watch.scheduleNextMilestone(incident);
}

/** The target itself (what "due" means to a reader), whichever milestone this is. */
const dueOf = (incident: IncidentDoc, milestone: SlaMilestone): Date =>
  (milestone.clock === 'response' ? incident.sla.responseDueAt : incident.sla.resolutionDueAt) ?? milestone.at;

function milestoneCard(ctx: JobContext, incident: IncidentDoc, milestone: SlaMilestone, reader: Reader): CardView {
  const key = milestone.percent >= 100 ? 'sla.breach' : 'sla.warning';
  const text = t(reader.locale, key, {
    number: incident.number,
    percent: milestone.percent,
    clock: t(reader.locale, `sla.clock.${milestone.clock}`),
    due: formatInstant(dueOf(incident, milestone), reader.locale, reader.timeZone),
  });
  return { ...incidentCard(incident, reader, ctx.catalog), text };
}

async function announce(ctx: JobContext, incident: IncidentDoc, milestone: SlaMilestone): Promise<void> {
  const reason = `sla.${milestone.clock}.${milestone.percent}`;
  const card = milestoneCard(ctx, incident, milestone, channelReader(ctx.catalog));
  await ctx.notifier.notify({ recordId: incident._id, reason, audience: { kind: 'thread', service: incident.service }, view: card });

  const recipients = new Set<string>();
  if (incident.assigneeId) recipients.add(incident.assigneeId);
  else for (const member of ctx.catalog.groups.get(incident.assignmentGroup)?.members ?? []) recipients.add(personIdForEmail(member));
  const lastWarning = Math.max(...ctx.catalog.warnThresholds(incident.service), 0);
  const schedule = ctx.catalog.onCallScheduleOf(incident.assignmentGroup);
  if (schedule && milestone.percent >= lastWarning) recipients.add(personIdForEmail(onCallAt(schedule, ctx.now()).person));

  for (const personId of recipients) {
    const view = milestoneCard(ctx, incident, milestone, await ctx.people.readerOf(personId));
    await ctx.notifier.notify({ recordId: incident._id, reason, audience: { kind: 'person', personId }, view });
  }
}
