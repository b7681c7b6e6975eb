import { INCIDENT_IDS } from '../../src/views/incident-actions';
import { incidentCard } from '../../src/views/incident-card';
import { pagedListHandler } from '../paged-list-handler';

export const listMyIncidents = pagedListHandler({
  id: INCIDENT_IDS.mine,
  command: 'itsm',
  words: 'mine',
  description: 'Your open incidents, newest first, a page at a time.',
  summary: 'help.incident.mine',
  title: 'incident.list.mine',
  find: (ctx, actor, page, size) => ctx.incidents.reportedBy(actor.id, page, size),
  card: (ctx, actor, incident) => incidentCard(incident, actor, ctx.catalog),
});

export const listGroupQueue = pagedListHandler({
  id: INCIDENT_IDS.queue,
  command: 'itsm',
  words: 'queue',
  description: "Your groups' open incidents, most urgent first, a page at a time.",
  summary: 'help.incident.queue',
  title: 'incident.list.queue',
  requiredRole: 'agent',
  find: (ctx, actor, page, size) => ctx.incidents.queueOf(actor.groups, page, size),
  card: (ctx, actor, incident) => incidentCard(incident, actor, ctx.catalog),
});
