import { z } from 'zod';
import { OPEN_INCIDENT_STATES, mayViewIncident } from '../../src/domain/incident-lifecycle';
import { t } from '../../src/i18n/translate';
import { defineHandler, result } from '../handler';
import { INCIDENT_IDS } from '../../src/views/incident-actions';
import { incidentCard, incidentStatusCard } from '../../src/views/incident-card';
import { relationsOf } from './change-incident';

/** How many open incidents a status lists, worst first. */
const MAJOR_LIMIT = 10;

export const serviceStatus = defineHandler({
  id: INCIDENT_IDS.status,
  description: 'Service status: open incidents per service, and the urgent ones.',
  entry: { commands: [{ command: 'itsm', words: 'status', summary: 'help.incident.status' }] },
  input: z.object({}),
  async run(ctx, actor) {
    const open = await ctx.incidents.listByStates(OPEN_INCIDENT_STATES);
    const perService = [...ctx.catalog.services.values()].map((service) => {
      const mine = open.filter((i) => i.service === service.key);
      const worst = mine[0]?.priority;
      return {
        label: service.name,
        value: mine.length === 0 ? t(actor.locale, 'status.operational') : t(actor.locale, 'status.open', { count: mine.length, worst: worst ?? '-' }),
      };
    });
    const urgent = open.filter((i) => i.priority === 'P1' || i.priority === 'P2').slice(0, MAJOR_LIMIT);
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
