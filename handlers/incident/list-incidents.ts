import { z } from 'zod';
import { OPEN_INCIDENT_STATES } from '../../src/domain/incident-lifecycle';
import { t } from '../../src/i18n/translate';
import { defineHandler, result } from '../handler';
import { INCIDENT_IDS } from './incident-actions';
import { incidentCard } from './incident-card';

const LIST_LIMIT = 20;

export const listMyIncidents = defineHandler({
  id: INCIDENT_IDS.mine,
  description: 'Your open incidents, newest first.',
  usage: 'mine',
  input: z.object({}),
  async run(ctx, actor) {
    const incidents = await ctx.incidents.listByRequester(actor.id, OPEN_INCIDENT_STATES, LIST_LIMIT);
    return result([
      {
        kind: 'list',
        title: t(actor.locale, 'incident.list.mine'),
        empty: t(actor.locale, 'incident.list.empty'),
        items: incidents.map((i) => incidentCard(i, actor, ctx.catalog)),
      },
    ]);
  },
});

export const listGroupQueue = defineHandler({
  id: INCIDENT_IDS.queue,
  description: "Your groups' open incidents, most urgent first.",
  usage: 'queue',
  input: z.object({}),
  requiredRole: 'agent',
  async run(ctx, actor) {
    const incidents = await ctx.incidents.listByGroups(actor.groups, OPEN_INCIDENT_STATES, LIST_LIMIT);
    return result([
      {
        kind: 'list',
        title: t(actor.locale, 'incident.list.queue'),
        empty: t(actor.locale, 'incident.list.empty'),
        items: incidents.map((i) => incidentCard(i, actor, ctx.catalog)),
      },
    ]);
  },
});
