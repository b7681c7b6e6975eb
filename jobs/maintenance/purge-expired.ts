import type { JobContext } from '../job-context';

export const PURGE_TIMER = 'maintenance.purge';
const DAY_MS = 86_400_000;

/**
 * The daily maintenance, also run at start: removes what is kept only for a while
 * (src/services/retention.ts), and completes the changes of the last two days whose writer died
 * between its two writes and that nobody has met since (src/services/audited-change.ts).
 */
export async function purgeExpired(ctx: JobContext): Promise<void> {
  const report = await ctx.retention.purge(ctx.now());
  if (Object.values(report).some((n) => n > 0)) ctx.log.info(report, 'removed what is past its retention');
  const completed = await ctx.incidents.completeInterruptedChanges(new Date(ctx.now().getTime() - 2 * DAY_MS));
  if (completed > 0) ctx.log.warn({ completed }, 'completed incident changes interrupted by a crash');
  const nextDay = new Date((Math.floor(ctx.now().getTime() / DAY_MS) + 1) * DAY_MS);
  await ctx.wheel.scheduleOnce(PURGE_TIMER, 'all', nextDay);
}
