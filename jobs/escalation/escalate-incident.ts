import { INCIDENT_IDS } from '../../src/views/incident-actions';
import { confirmation, incidentCard, type Reader } from '../../src/views/incident-card';
import { onCallAt } from '../../src/domain/on-call';
import { t } from '../../src/i18n/translate';
import type { IncidentDoc } from '../../src/models/incident.model';
import { personIdForEmail } from '../../src/people/people-directory';
import { INCIDENT_TIMERS } from '../../src/services/incident-watch';
import type { NotificationRequest } from '../../src/services/notifier';
import { claimKey } from '../../src/services/record-keys';
import type { CardView } from '../../src/views/view-model';
import type { JobContext } from '../job-context';
import { levelIndexOf, levelOf, minutesToNextStep, stepCount } from './escalation-steps';

type Target = { onCall: string } | { group: string } | { person: string };

/** The people a level names, resolved now: the on-call of a schedule, a group's members, a person. */
function recipientsOf(ctx: JobContext, targets: readonly Target[]): string[] {
  const emails = new Set<string>();
  for (const target of targets) {
    if ('onCall' in target) {
      const schedule = ctx.catalog.onCallSchedules.get(target.onCall);
      if (schedule) emails.add(onCallAt(schedule, ctx.now()).person);
    } else if ('group' in target) {
      for (const member of ctx.catalog.groups.get(target.group)?.members ?? []) emails.add(member.toLowerCase());
    } else {
      emails.add(target.person.toLowerCase());
    }
  }
  return [...emails].map(personIdForEmail);
}

function pageCard(ctx: JobContext, incident: IncidentDoc, step: number, level: number, reader: Reader): CardView {
  const card = incidentCard(incident, reader, ctx.catalog);
  return {
    ...card,
    text: t(reader.locale, 'escalation.page', {
      number: incident.number,
      priority: incident.priority,
      level: level + 1,
      group: ctx.catalog.groups.get(incident.assignmentGroup)?.name ?? incident.assignmentGroup,
    }),
    actions: [
      { actionId: INCIDENT_IDS.ack, label: t(reader.locale, 'incident.action.ack'), recordId: incident._id, style: 'primary' },
      {
        actionId: INCIDENT_IDS.declinePage,
        label: t(reader.locale, 'escalation.action.decline'),
        recordId: incident._id,
        value: String(step),
        style: 'danger',
        confirm: confirmation(reader.locale, t(reader.locale, 'escalation.confirm.decline', { number: incident.number })),
      },
    ],
  };
}

/**
 * Escalation step `ref` = `<number>#<step>` fell due. Until someone acknowledges, each step pages
 * the people of its level, sets the timer of the next step, and then marks itself done. A step
 * already marked done does nothing (a second timer for it: another process, an "I can't take
 * it"); a crash before the mark re-runs the step, and its pages, keyed per step and person, are
 * not sent twice.
 */
export async function escalateIncident(ctx: JobContext, ref: string, read?: IncidentDoc): Promise<void> {
  const [number = '', stepText = ''] = ref.split('#');
  const step = Number(stepText);
  // `read`: the incident as the caller has just read it (a new incident's first step), not read
  // again. Taken in the moment between, it is still paged once; the next step reads it again and stops.
  const incident = read?._id === number ? read : await ctx.incidents.findById(number);
  if (!incident || incident.state !== 'new' || incident.acknowledgedAt) return;
  const policy = ctx.catalog.escalationPolicyOf(incident.assignmentGroup);
  if (!policy || !Number.isInteger(step)) return;
  if (step >= stepCount(policy)) {
    // Said once, though two timers for this step may fire (two processes ran the step before it).
    if (await claimKey(ctx.models.RecordKey, `escalation:${number}:exhausted`, number)) {
      ctx.log.warn({ number, steps: step }, 'escalation policy exhausted and the incident is still not acknowledged');
    }
    return;
  }
  const claim = `escalation:${number}:${step}`;
  if (await ctx.models.RecordKey.findById(claim).lean()) return; // this step ran already
  const pages: NotificationRequest[] = [];
  for (const personId of recipientsOf(ctx, levelOf(policy, step)?.notify ?? [])) {
    const view = pageCard(ctx, incident, step, levelIndexOf(policy, step), await ctx.people.readerOf(personId));
    pages.push({ recordId: incident._id, reason: `escalation.${step}`, audience: { kind: 'person', personId }, view });
  }
  await ctx.notifier.notifyAll(pages);
  // The next step's timer before the mark, so no crash can leave it unset (after the last step it
  // only logs that nobody answered).
  const at = new Date(ctx.now().getTime() + minutesToNextStep(policy, step) * 60_000);
  await ctx.wheel.schedule(INCIDENT_TIMERS.escalation, `${number}#${step + 1}`, at);
  await claimKey(ctx.models.RecordKey, claim, number);
}
