import { INCIDENT_TIMERS } from '../src/services/incident-watch';
import { announceMajorIncident } from './escalation/announce-major-incident';
import { escalateIncident } from './escalation/escalate-incident';
import type { JobContext } from './job-context';
import { PURGE_TIMER, purgeExpired } from './maintenance/purge-expired';
import { checkIncidentSla } from './sla/check-incident-sla';
import { restoreIncidentTimers } from './sla/restore-incident-timers';
import { startWatchingIncident } from './sla/start-watching-incident';
import { REQUEST_TIMERS } from '../src/services/request-watch';
import { remindApprovers } from './requests/remind-approvers';
import { checkRequestSla } from './requests/check-request-sla';
import { restoreRequestTimers } from './requests/restore-request-timers';
import { CHANGE_TIMERS } from '../src/services/change-watch';
import { remindChangeApprovers, remindImplementer } from './changes/change-reminders';

/**
 * What each kind of timer does when the wheel finds it due (delivery is the notifier's own). A new
 * incident's watch, its pages and a P1's announcement also run at once when set due now (`atOnce`):
 * a P1 pages its on-call within a second or two, not at the wheel's next turn; each is idempotent.
 */
export function registerTimerJobs(ctx: JobContext, options: { atOnce?: boolean } = {}): void {
  const atOnce = options.atOnce ?? true;
  ctx.wheel.on(INCIDENT_TIMERS.created, (number) => startWatchingIncident(ctx, number), { atOnce });
  ctx.wheel.on(INCIDENT_TIMERS.sla, (number) => checkIncidentSla(ctx, number), { atOnce });
  ctx.wheel.on(INCIDENT_TIMERS.escalation, (ref) => escalateIncident(ctx, ref), { atOnce });
  ctx.wheel.on(INCIDENT_TIMERS.majorIncident, (number) => announceMajorIncident(ctx, number), { atOnce });
  // The hourly restore of missing timers: the incidents' timer drives the requests' too.
  ctx.wheel.on(INCIDENT_TIMERS.restore, async () => {
    await restoreIncidentTimers(ctx);
    await restoreRequestTimers(ctx);
  });
  ctx.wheel.on(REQUEST_TIMERS.approval, (ref) => remindApprovers(ctx, ref));
  ctx.wheel.on(REQUEST_TIMERS.sla, (number) => checkRequestSla(ctx, number));
  ctx.wheel.on(CHANGE_TIMERS.window, (number) => remindImplementer(ctx, number));
  ctx.wheel.on(CHANGE_TIMERS.approval, (ref) => remindChangeApprovers(ctx, ref));
  ctx.wheel.on(PURGE_TIMER, () => purgeExpired(ctx));
}
