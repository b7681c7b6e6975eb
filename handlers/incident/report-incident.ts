import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { IncidentDoc } from '../../src/models/incident.model';
import type { Actor } from '../../src/people/people-directory';
import { DomainError } from '../../src/domain/domain-error';
import { LEVELS, priorityOf } from '../../src/domain/priority';
import { formatInstant, t } from '../../src/i18n/translate';
import { slaFor } from '../../src/services/incident-sla';
import { defineHandler, result } from '../handler';
import { incidentUpdated, withoutThreadLines } from './change-incident';
import { INCIDENT_IDS } from '../../src/views/incident-actions';

export const SUMMARY_MAX = 150;
export const DESCRIPTION_MAX = 3000;

export const reportIncidentInput = z.object({
  summary: z.string().trim().min(1).max(SUMMARY_MAX),
  description: z.string().trim().max(DESCRIPTION_MAX).default(''),
  service: z.string().min(1),
  configurationItem: z.string().trim().optional(),
  impact: z.enum(LEVELS),
  urgency: z.enum(LEVELS),
  /** The platform's id for this submission or message: a retry with the same key creates nothing new. */
  dedupeKey: z.string().min(1).max(200).optional(),
  platform: z.enum(['slack', 'teams', 'web']).default('web'),
  permalink: z.url().optional(),
});

export const reportIncident = defineHandler({
  id: INCIDENT_IDS.report,
  description: 'Report an incident: something is broken or degraded.',
  entry: {
    form: true,
    // A retried submission of the same form finds the incident the first one created.
    toInput: (i) => ({
      ...i.form,
      platform: i.platform,
      ...(i.requestKey ? { dedupeKey: `${i.platform}:view:${i.requestKey}` } : {}),
      ...(i.source?.permalink ? { permalink: i.source.permalink } : {}),
    }),
  },
  input: reportIncidentInput,
  async run(ctx, actor, input) {
    const service = ctx.catalog.service(input.service);
    if (input.configurationItem) {
      const ci = await ctx.configurationItems.findById(input.configurationItem);
      if (!ci || ci.service !== service.key) {
        throw new DomainError('CI.UNKNOWN', { ci: input.configurationItem }, 'configurationItem');
      }
    }
    const at = ctx.now();
    const priority = priorityOf(ctx.catalog.priorityMatrix, input.impact, input.urgency);
    const { incident, created } = await ctx.incidents.create(
      {
        title: input.summary,
        description: input.description,
        service: service.key,
        ...(input.configurationItem ? { configurationItem: input.configurationItem } : {}),
        impact: input.impact,
        urgency: input.urgency,
        priority,
        state: 'new',
        majorIncident: priority === 'P1',
        assignmentGroup: service.supportGroup,
        assigneeId: null,
        assigneeName: null,
        requesterId: actor.id,
        requesterName: actor.name,
        source: { platform: input.platform, ...(input.permalink ? { permalink: input.permalink } : {}) },
        dedupeKey: input.dedupeKey ?? `fresh:${randomUUID()}`,
        reopenCount: 0,
        sla: slaFor(ctx.catalog, service.key, priority, at),
        durations: {},
        comments: [],
      },
      { id: actor.id, name: actor.name },
      at,
      input.dedupeKey !== undefined,
    );
    if (!created) {
      // The first try's process may have died before setting the incident's timers.
      if (await ctx.watch.timersMissing(incident)) await ctx.watch.restart(incident);
      // A retry, or a replay after the first try's process died: the channel's card is announced
      // again (edited in place if it was posted, posted if the first try died before it), its
      // thread line only once.
      const again = incidentUpdated(ctx, actor, incident, 'create', {});
      const announcements = withoutThreadLines(again.announcements);
      // A replay finishes what the person was never told: the confirmation, as the first try would have.
      const told = actor.request?.replayed
        ? { kind: 'notice' as const, tone: 'success' as const, text: confirmationOf(actor, incident) }
        : { kind: 'notice' as const, tone: 'info' as const, text: t(actor.locale, 'incident.alreadyReported', { number: incident.number }) };
      return result([told], announcements);
    }
    const updated = incidentUpdated(ctx, actor, incident, 'create', {});
    return result([{ kind: 'notice', tone: 'success', text: confirmationOf(actor, incident) }, ...updated.views], updated.announcements);
  },
});

function confirmationOf(actor: Actor, incident: IncidentDoc): string {
  const due = incident.sla.responseDueAt ? formatInstant(incident.sla.responseDueAt, actor.locale, actor.timeZone) : '-';
  return t(actor.locale, 'incident.reported', { number: incident.number, title: incident.title, priority: incident.priority, due });
}
