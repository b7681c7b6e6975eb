import { channelReader, incidentCard } from '../../src/views/incident-card';
import { t } from '../../src/i18n/translate';
import type { JobContext } from '../job-context';

const OPEN = new Set(['new', 'in_progress', 'on_hold']);

/** A P1 is announced once in the major-incident channel (when one is configured). */
export async function announceMajorIncident(ctx: JobContext, number: string): Promise<void> {
  const incident = await ctx.incidents.findById(number);
  if (!incident || incident.priority !== 'P1' || !OPEN.has(incident.state) || !ctx.catalog.config.majorIncidentChannel) return;
  const reader = channelReader(ctx.catalog);
  const view = {
    ...incidentCard(incident, reader, ctx.catalog),
    text: t(reader.locale, 'major.announce', { number: incident.number, priority: incident.priority, title: incident.title }),
  };
  await ctx.notifier.notify({ recordId: incident._id, reason: 'major-incident', audience: { kind: 'major-incident' }, view });
}
