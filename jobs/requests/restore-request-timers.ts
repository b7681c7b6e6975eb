import { claimKey } from '../../src/services/record-keys';
import type { JobContext } from '../job-context';

const HOUR_MS = 60 * 60_000;
/** Open requests read at once. */
const BATCH = 50;

/**
 * Every open request whose timers are missing has them set again (its SLA clocks' next milestone,
 * its step's approval deadline; each is set once per instant, and its job re-reads the request).
 * Runs when a process starts and then with the incidents' hourly restore, by the first process to
 * claim the hour.
 */
export async function restoreRequestTimers(ctx: JobContext): Promise<number> {
  const hour = Math.floor(ctx.now().getTime() / HOUR_MS);
  if (!(await claimKey(ctx.models.RecordKey, `restore:requests:${hour}`, 'requests'))) return 0;
  let restored = 0;
  const open = await ctx.requests.allOpen();
  for (let first = 0; first < open.length; first += BATCH) {
    for (const request of await ctx.requests.current(open.slice(first, first + BATCH))) {
      if (!(await ctx.requestWatch.timersMissing(request))) continue;
      await ctx.requestWatch.track(request);
      restored += 1;
    }
  }
  if (restored > 0) ctx.log.warn({ restored }, 'restored the timers of open requests that had none');
  return restored;
}
