import type { ItsmCatalog } from '../config/itsm-catalog';
import type { IncidentAction } from '../domain/incident-lifecycle';
import { milestonesReached, nextMilestone, slaMilestones, type SlaMilestone } from '../domain/sla-milestones';
import type { IncidentDoc } from '../models/incident.model';
import type { TimerWheel } from './timer-wheel';

/** The kinds of timer an incident sets; jobs/ says what each does when it falls due. */
export const INCIDENT_TIMERS = {
  sla: 'incident.sla',
  escalation: 'incident.escalation',
  majorIncident: 'incident.major',
} as const;

const OPEN_STATES = new Set(['new', 'in_progress', 'on_hold']);

/** Every SLA milestone of an incident's running clocks (see src/domain/sla-milestones.ts). */
export function incidentMilestones(catalog: ItsmCatalog, incident: IncidentDoc): SlaMilestone[] {
  if (!OPEN_STATES.has(incident.state)) return [];
  const { sla } = incident;
  const calendar = catalog.calendars.get(sla.calendarKey) ?? catalog.slaTarget(incident.service, incident.priority).calendar;
  return slaMilestones({
    calendar,
    startedAt: sla.startedAt,
    pauses: sla.pauses,
    respondMinutes: sla.respondMinutes,
    resolveMinutes: sla.resolveMinutes,
    warnAt: catalog.warnThresholds(incident.service),
    running: { response: !incident.acknowledgedAt, resolution: true },
  });
}

/**
 * Sets an incident's timers after it is created or changed: the next SLA milestone, the first
 * escalation step of a new incident, and the major-incident announcement of a P1. Timers are
 * hints; what they wake re-reads the incident, so a timer made stale by a later change is harmless.
 */
export class IncidentWatch {
  constructor(
    private readonly wheel: TimerWheel,
    private readonly catalog: ItsmCatalog,
    private readonly now: () => Date,
  ) {}

  async track(incident: IncidentDoc, change: IncidentAction | 'create'): Promise<void> {
    const milestones = incidentMilestones(this.catalog, incident);
    // A change can move a record past milestones at once (a priority rise): look at it now.
    if (change !== 'create' && milestonesReached(milestones, this.now()).length > 0) {
      await this.wheel.schedule(INCIDENT_TIMERS.sla, incident._id, this.now());
    }
    await this.scheduleNext(incident._id, milestones);
    if (change === 'create' && incident.state === 'new' && this.catalog.escalationPolicyOf(incident.assignmentGroup)) {
      await this.wheel.schedule(INCIDENT_TIMERS.escalation, `${incident._id}#0`, this.now());
    }
    if (incident.priority === 'P1' && (change === 'create' || change === 'reprioritise')) {
      await this.wheel.schedule(INCIDENT_TIMERS.majorIncident, incident._id, this.now());
    }
  }

  /** Pages escalation step `step` at once (someone paged cannot take the incident). */
  async escalateNow(number: string, step: number): Promise<void> {
    await this.wheel.schedule(INCIDENT_TIMERS.escalation, `${number}#${step}`, this.now());
  }

  /** One timer per (incident, instant): two chains of timers that meet collapse into one. */
  scheduleNextMilestone(incident: IncidentDoc): Promise<void> {
    return this.scheduleNext(incident._id, incidentMilestones(this.catalog, incident));
  }

  private async scheduleNext(number: string, milestones: SlaMilestone[]): Promise<void> {
    const next = nextMilestone(milestones, this.now());
    if (next) await this.wheel.scheduleOnce(INCIDENT_TIMERS.sla, number, next.at);
  }
}
