import { announceMajorIncident } from '../escalation/announce-major-incident';
import { escalateIncident } from '../escalation/escalate-incident';
import type { JobContext } from '../job-context';

/** A new incident: set its first SLA milestone, page its first escalation level, announce a P1, write it into its lists. */
export async function startWatchingIncident(ctx: JobContext, number: string): Promise<void> {
  const incident = await ctx.incidents.findById(number);
  if (!incident) return;
  const { escalate, major } = await ctx.watch.startWatching(incident);
  if (major) await announceMajorIncident(ctx, number);
  // Paged from this read unless a P1's announcement came between (it takes a moment more).
  if (escalate) await escalateIncident(ctx, `${number}#0`, major ? undefined : incident);
  // After the pages, which are waited for; should this fail, the job's retry lists it (each effect above is claimed).
  await ctx.incidents.relist(incident);
}
