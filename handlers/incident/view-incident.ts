import { z } from 'zod';
import { DomainError } from '../../src/domain/domain-error';
import { mayViewIncident } from '../../src/domain/incident-lifecycle';
import { t } from '../../src/i18n/translate';
import { defineHandler, result } from '../handler';
import { viewRequest } from '../request/list-requests';
import { viewChange } from '../change/list-changes';
import { loadIncident, relationsOf } from './change-incident';
import { INCIDENT_IDS } from '../../src/views/incident-actions';
import { channelReader, incidentCard, incidentStatusCard } from '../../src/views/incident-card';

export const viewIncident = defineHandler({
  id: INCIDENT_IDS.show,
  description: 'Show an incident by its number.',
  entry: {
    commands: [{ command: 'itsm', words: 'show', argument: { field: 'recordId', usage: 'INC0001001', optional: false }, summary: 'help.incident.show' }],
    shows: /\bINC\d{7}\b/g,
    toInput: (i) => ({ recordId: i.recordId ?? i.form?.recordId, public: i.public }),
  },
  input: z.object({ recordId: z.string().trim().min(1), public: z.boolean().optional() }),
  async run(ctx, actor, input) {
    // `/itsm show` takes any ticket's number.
    if (/^req\d{7}$/i.test(input.recordId)) return viewRequest.run(ctx, actor, { recordId: input.recordId });
    if (/^chg\d{7}$/i.test(input.recordId)) return viewChange.run(ctx, actor, { recordId: input.recordId });
    const incident = await loadIncident(ctx, input.recordId);
    if (!mayViewIncident(actor.roles, relationsOf(ctx.catalog, incident, actor))) throw new DomainError('INCIDENT.NOT_FOUND', { number: input.recordId });
    // Shown where others read it (a mention's thread): what anyone may know, as on a status page.
    if (input.public) return result([incidentStatusCard(incident, channelReader(ctx.catalog), ctx.catalog)]);
    const card = incidentCard(incident, actor, ctx.catalog);
    // What changed on its configuration item lately is often why it broke.
    const recent = await ctx.changes.recentOn(incident.configurationItem ? [incident.configurationItem] : []);
    if (recent.length === 0) return result([card]);
    const list = recent.map((c) => `${c.number} (${c.title}, ${t(actor.locale, `change.state.${c.state}`)})`).join('; ');
    return result([{ ...card, context: [...(card.context ?? []), t(actor.locale, 'change.recent', { list })] }]);
  },
});
