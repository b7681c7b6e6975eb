import type { ItsmCatalog } from '../config/itsm-catalog';
import type { IncidentAction } from '../domain/incident-lifecycle';
import { milestonesReached, nextMilestone, slaMilestones, type SlaMilestone } from '../domain/sla-milestones';
import type { IncidentDoc } from '../models/incident.model';
import type { TimerWheel } from './timer-wheel';

/** The kinds of timer an incident sets; jobs/ says what each does when it falls due. */
export const INCIDENT_TIMERS = {
  created: 'incident.created',
  sla: 'incident.sla',
  escalation: 'incident.escalation',
  majorIncident: 'incident.major',
  /** Hourly: every open incident whose next SLA timer is missing is watched again. */
  restore: 'incidents.restore',
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
 * A report sets one timer (`created`) and its job the others, so reporting stays one write lighter
 * per timer.
 */
export class IncidentWatch {
  constructor(
    private readonly wheel: TimerWheel,
    private readonly catalog: ItsmCatalog,
    private readonly now: () => Date,
  ) {}

  async track(incident: IncidentDoc, change: IncidentAction | 'create'): Promise<void> {
    // One write on the reporting request's path; the job sets the rest (see startWatching).
    if (change === 'create') return this.wheel.schedule(INCIDENT_TIMERS.created, incident._id, this.now());
    const milestones = incidentMilestones(this.catalog, incident);
    // A change can move a record past milestones at once (a priority rise): look at it now.
    if (milestonesReached(milestones, this.now()).length > 0) {
      await this.wheel.schedule(INCIDENT_TIMERS.sla, incident._id, this.now());
    }
    await this.scheduleNext(incident._id, milestones);
    if (incident.priority === 'P1' && change === 'reprioritise') {
      await this.wheel.schedule(INCIDENT_TIMERS.majorIncident, incident._id, this.now());
    }
  }

  /**
   * What a new incident needs, set by the `created` timer's job: its first SLA milestone, the
   * first escalation step while nobody has acknowledged it, and whether it is a major incident.
   */
  async startWatching(incident: IncidentDoc): Promise<{ escalate: boolean; major: boolean }> {
    await this.scheduleNextMilestone(incident);
    return {
      escalate: incident.state === 'new' && !incident.acknowledgedAt && Boolean(this.catalog.escalationPolicyOf(incident.assignmentGroup)),
      major: incident.priority === 'P1',
    };
  }

  /**
   * Whether an open incident's timers are missing (setting them failed, or the process died
   * between creating the incident and setting them): its next SLA milestone has no timer. One
   * lookup by `_id`.
   */
  async timersMissing(incident: IncidentDoc): Promise<boolean> {
    const next = nextMilestone(incidentMilestones(this.catalog, incident), this.now());
    return next ? !(await this.wheel.isScheduledOnce(INCIDENT_TIMERS.sla, incident._id, next.at)) : false;
  }

  /** Watches the incident again as if it were new: each effect is claimed, so nothing happens twice. */
  restart(incident: IncidentDoc): Promise<void> {
    return this.wheel.schedule(INCIDENT_TIMERS.created, incident._id, this.now());
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
