import { INCIDENT_TIMERS } from '../src/services/incident-watch';
import { announceMajorIncident } from './escalation/announce-major-incident';
import { escalateIncident } from './escalation/escalate-incident';
import type { JobContext } from './job-context';
import { PURGE_TIMER, purgeExpired } from './maintenance/purge-expired';
import { checkIncidentSla } from './sla/check-incident-sla';
import { restoreIncidentTimers } from './sla/restore-incident-timers';
import { startWatchingIncident } from './sla/start-watching-incident';

/** What each kind of timer does when the wheel finds it due (delivery is the notifier's own). */
export function registerTimerJobs(ctx: JobContext): void {
  ctx.wheel.on(INCIDENT_TIMERS.created, (number) => startWatchingIncident(ctx, number));
  ctx.wheel.on(INCIDENT_TIMERS.sla, (number) => checkIncidentSla(ctx, number));
  ctx.wheel.on(INCIDENT_TIMERS.escalation, (ref) => escalateIncident(ctx, ref));
  ctx.wheel.on(INCIDENT_TIMERS.majorIncident, (number) => announceMajorIncident(ctx, number));
  ctx.wheel.on(INCIDENT_TIMERS.restore, async () => void (await restoreIncidentTimers(ctx)));
  ctx.wheel.on(PURGE_TIMER, () => purgeExpired(ctx));
}
