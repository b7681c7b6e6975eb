import { t } from '../../src/i18n/translate';
import { defineHandler, result, type HandlerContext, type HandlerResult } from '../handler';
import { pageInput } from '../page-input';
import { INCIDENT_IDS } from '../../src/views/incident-actions';
import { incidentCard } from '../../src/views/incident-card';
import { PAGE_SIZE, pagedList } from '../../src/views/paged-list';
import type { IncidentDoc } from '../../src/models/incident.model';
import type { RecordPage } from '../../src/services/open-record-lists';
import type { Actor } from '../../src/people/people-directory';
import type { MessageKey } from '../../src/i18n/messages.en';

/** One page of incidents as a list, with the ways to its neighbours (clicks on `handlerId`). */
function incidentList(ctx: HandlerContext, actor: Actor, found: RecordPage<IncidentDoc>, page: number, title: MessageKey, handlerId: string): HandlerResult {
  return result([
    pagedList(actor.locale, {
      title: t(actor.locale, title),
      empty: t(actor.locale, 'incident.list.empty'),
      items: found.records.map((i) => incidentCard(i, actor, ctx.catalog)),
      page,
      total: found.total,
      handlerId,
    }),
  ]);
}

export const listMyIncidents = defineHandler({
  id: INCIDENT_IDS.mine,
  description: 'Your open incidents, newest first, a page at a time.',
  entry: {
    commands: [{ command: 'itsm', words: 'mine', argument: { field: 'page', usage: 'page', optional: true }, summary: 'help.incident.mine' }],
    card: true,
    toInput: pageInput.toInput,
  },
  input: pageInput.input,
  async run(ctx, actor, input) {
    const found = await ctx.incidents.reportedBy(actor.id, input.page - 1, PAGE_SIZE);
    return incidentList(ctx, actor, found, input.page, 'incident.list.mine', INCIDENT_IDS.mine);
  },
});

export const listGroupQueue = defineHandler({
  id: INCIDENT_IDS.queue,
  description: "Your groups' open incidents, most urgent first, a page at a time.",
  entry: {
    commands: [{ command: 'itsm', words: 'queue', argument: { field: 'page', usage: 'page', optional: true }, summary: 'help.incident.queue' }],
    card: true,
    toInput: pageInput.toInput,
  },
  input: pageInput.input,
  requiredRole: 'agent',
  async run(ctx, actor, input) {
    const found = await ctx.incidents.queueOf(actor.groups, input.page - 1, PAGE_SIZE);
    return incidentList(ctx, actor, found, input.page, 'incident.list.queue', INCIDENT_IDS.queue);
  },
});
