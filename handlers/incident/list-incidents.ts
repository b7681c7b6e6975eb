import { z } from 'zod';
import { OPEN_INCIDENT_STATES } from '../../src/domain/incident-lifecycle';
import { t } from '../../src/i18n/translate';
import { defineHandler, result } from '../handler';
import { INCIDENT_IDS } from '../../src/views/incident-actions';
import { incidentCard } from '../../src/views/incident-card';
import type { ListView } from '../../src/views/view-model';

const LIST_LIMIT = 20;

const incidentList = (title: string, empty: string, items: ListView['items']): ListView => ({ kind: 'list', title, empty, items });

export const listMyIncidents = defineHandler({
  id: INCIDENT_IDS.mine,
  description: 'Your open incidents, newest first.',
  entry: { commands: [{ command: 'itsm', words: 'mine', summary: 'help.incident.mine' }] },
  input: z.object({}),
  async run(ctx, actor) {
    const incidents = await ctx.incidents.listByRequester(actor.id, OPEN_INCIDENT_STATES, LIST_LIMIT);
    const cards = incidents.map((i) => incidentCard(i, actor, ctx.catalog));
    return result([incidentList(t(actor.locale, 'incident.list.mine'), t(actor.locale, 'incident.list.empty'), cards)]);
  },
});

export const listGroupQueue = defineHandler({
  id: INCIDENT_IDS.queue,
  description: "Your groups' open incidents, most urgent first.",
  entry: { commands: [{ command: 'itsm', words: 'queue', summary: 'help.incident.queue' }] },
  input: z.object({}),
  requiredRole: 'agent',
  async run(ctx, actor) {
    const incidents = await ctx.incidents.listByGroups(actor.groups, OPEN_INCIDENT_STATES, LIST_LIMIT);
    const cards = incidents.map((i) => incidentCard(i, actor, ctx.catalog));
    return result([incidentList(t(actor.locale, 'incident.list.queue'), t(actor.locale, 'incident.list.empty'), cards)]);
  },
});
