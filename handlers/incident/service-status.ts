import { z } from 'zod';
import { mayViewIncident } from '../../src/domain/incident-lifecycle';
import { t } from '../../src/i18n/translate';
import { defineHandler, result } from '../handler';
import { INCIDENT_IDS } from '../../src/views/incident-actions';
import { incidentCard, incidentStatusCard } from '../../src/views/incident-card';
import { relationsOf } from './change-incident';

/** How many open incidents a status lists, worst first. */
const MAJOR_LIMIT = 10;
const URGENT = new Set(['P1', 'P2']);

export const serviceStatus = defineHandler({
  id: INCIDENT_IDS.status,
  description: 'Service status: open incidents per service, and the urgent ones.',
  entry: { commands: [{ command: 'itsm', words: 'status', summary: 'help.incident.status' }] },
  input: z.object({}),
  async run(ctx, actor) {
    const services = [...ctx.catalog.services.values()];
    // Counted from the services' lists of open incidents, each read as far as the urgent ones shown; only those are read.
    const open = await ctx.incidents.mostUrgentByService(
      services.map((s) => s.key),
      MAJOR_LIMIT,
    );
    const perService = services.map((service) => {
      const listed = open.get(service.key) ?? { open: [], total: 0 };
      return {
        label: service.name,
        value: listed.total === 0 ? t(actor.locale, 'status.operational') : t(actor.locale, 'status.open', { count: listed.total, worst: listed.open[0]?.priority ?? '-' }),
      };
    });
    const urgentListed = [...open.values()]
      .flatMap((listed) => listed.open)
      .filter((i) => URGENT.has(i.priority))
      .sort((a, b) => a.priority.localeCompare(b.priority) || a.createdAt - b.createdAt);
    const urgent = (await ctx.incidents.current(urgentListed.slice(0, MAJOR_LIMIT))).filter((i) => URGENT.has(i.priority));
    return result([
      { kind: 'card', title: t(actor.locale, 'status.title'), fields: perService, actions: [] },
      {
        kind: 'list',
        title: t(actor.locale, 'status.urgent'),
        empty: t(actor.locale, 'incident.list.empty'),
        // The one visibility rule of /itsm show: details for those who may see them, the rest as on a status page.
        items: urgent.map((i) => (mayViewIncident(actor.roles, relationsOf(ctx.catalog, i, actor)) ? incidentCard(i, actor, ctx.catalog) : incidentStatusCard(i, actor, ctx.catalog))),
      },
    ]);
  },
});
