import type { JobContext } from '../job-context';

export const PURGE_TIMER = 'maintenance.purge';
const DAY_MS = 86_400_000;

/** Removes what is kept only for a while (src/services/retention.ts); runs at start, then daily. */
export async function purgeExpired(ctx: JobContext): Promise<void> {
  const report = await ctx.retention.purge(ctx.now());
  if (Object.values(report).some((n) => n > 0)) ctx.log.info(report, 'removed what is past its retention');
  const nextDay = new Date((Math.floor(ctx.now().getTime() / DAY_MS) + 1) * DAY_MS);
  await ctx.wheel.scheduleOnce(PURGE_TIMER, 'all', nextDay);
}
