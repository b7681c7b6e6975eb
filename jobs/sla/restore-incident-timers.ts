import { INCIDENT_TIMERS } from '../../src/services/incident-watch';
import { claimKey } from '../../src/services/record-keys';
import type { JobContext } from '../job-context';

const HOUR_MS = 60 * 60_000;
/** Open incidents read at once. */
const BATCH = 50;

/**
 * Every open incident whose timers are missing is watched again (its SLA milestones, escalation
 * and P1 announcement re-derived; each effect is claimed, so nothing is sent twice). Runs when a
 * process starts and then hourly: the next run is one timer per hour for all processes.
 */
export async function restoreIncidentTimers(ctx: JobContext): Promise<number> {
  const hour = Math.floor(ctx.now().getTime() / HOUR_MS);
  const nextHour = new Date((hour + 1) * HOUR_MS);
  await ctx.wheel.scheduleOnce(INCIDENT_TIMERS.restore, 'all', nextHour);
  // Once an hour for all processes (it reads every open incident): the first to claim the hour.
  if (!(await claimKey(ctx.models.RecordKey, `restore:${hour}`, 'incidents'))) return 0;
  let restored = 0;
  // Every open incident is in its service's list (src/services/incident-lists.ts).
  const open = [...(await ctx.incidents.openByService([...ctx.catalog.services.keys()])).values()].flat();
  for (let first = 0; first < open.length; first += BATCH) {
    for (const incident of await ctx.incidents.current(open.slice(first, first + BATCH))) {
      if (!(await ctx.watch.timersMissing(incident))) continue;
      await ctx.watch.restart(incident);
      restored += 1;
    }
  }
  if (restored > 0) ctx.log.warn({ restored }, 'restored the timers of open incidents that had none');
  return restored;
}
