import { z } from 'zod';
import { RESOLUTION_CODES } from '../../src/domain/incident-lifecycle';
import { t } from '../../src/i18n/translate';
import { acknowledgementDurations, closePause, resolutionDurations } from '../../src/services/incident-sla';
import type { IncidentDoc } from '../../src/models/incident.model';
import type { Actor } from '../../src/people/people-directory';
import { incidentResolvedCard } from '../../src/views/incident-card';
import type { Announcement } from '../../src/views/view-model';
import { defineHandler, type HandlerContext } from '../handler';
import { changeIncident } from './change-incident';
import { INCIDENT_IDS } from '../../src/views/incident-actions';

export const resolveIncident = defineHandler({
  id: INCIDENT_IDS.resolve,
  entry: { form: true },
  description: 'Resolve an incident with a resolution code and notes.',
  input: z.object({ recordId: z.string().min(1), code: z.enum(RESOLUTION_CODES), notes: z.string().trim().min(1).max(3000) }),
  run: (ctx, actor, input) =>
    changeIncident(ctx, actor, input.recordId, 'resolve', input, (incident, to, at) => {
      const pauses = closePause(incident.sla.pauses, at);
      // Resolving straight from New is also the first response.
      const base = incident.acknowledgedAt ? incident : { ...incident, durations: acknowledgementDurations(ctx.catalog, incident, at) };
      return {
        set: {
          state: to,
          resolutionCode: input.code,
          resolutionNotes: input.notes,
          resolvedAt: at,
          holdReason: null,
          sla: { ...incident.sla, pauses },
          durations: resolutionDurations(ctx.catalog, base, pauses, at),
          ...(incident.acknowledgedAt ? {} : { acknowledgedAt: at, acknowledgedById: actor.id, acknowledgedByName: actor.name }),
          ...(incident.assigneeId ? {} : { assigneeId: actor.id, assigneeName: actor.name }),
        },
        before: { state: incident.state },
        after: { state: to, resolutionCode: input.code, resolutionNotes: input.notes },
        line: { code: t(ctx.catalog.config.defaults.locale, `resolution.${input.code}`) },
      };
    }, { tellAlso: (resolved) => tellRequester(ctx, actor, resolved) }),
});

/** The requester hears that it is resolved, in their language, with Reopen and a rating (unless they resolved it). */
async function tellRequester(ctx: HandlerContext, actor: Actor, incident: IncidentDoc): Promise<Announcement[]> {
  if (incident.requesterId === actor.id) return [];
  const reader = await ctx.people.readerOf(incident.requesterId);
  return [
    {
      // One per resolution: a reopened incident resolved again tells them again.
      reason: `incident.resolved.${incident.version}`,
      recordId: incident._id,
      audience: { kind: 'person', personId: incident.requesterId },
      view: incidentResolvedCard(incident, reader, ctx.catalog),
    },
  ];
}
