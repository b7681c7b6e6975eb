import { z } from 'zod';
import { DomainError } from '../../src/domain/domain-error';
import { t } from '../../src/i18n/translate';
import type { ChangeDoc } from '../../src/models/change.model';
import type { Actor } from '../../src/people/people-directory';
import { CHANGE_IDS } from '../../src/views/change-actions';
import { changeCard } from '../../src/views/change-card';
import { defineHandler, result, type HandlerContext } from '../handler';
import { pagedListHandler } from '../paged-list-handler';
import { loadChange, mayViewChange } from './change-flow';

const cardFor = (ctx: HandlerContext, actor: Actor, change: ChangeDoc) => changeCard(change, actor, ctx.catalog, actor);

export const listMyChanges = pagedListHandler({
  id: CHANGE_IDS.mine,
  command: 'change',
  words: 'mine',
  description: 'Your open changes, newest first, a page at a time.',
  summary: 'help.change.mine',
  title: 'change.list.mine',
  find: (ctx, actor, page, size) => ctx.changes.requestedBy(actor.id, page, size),
  card: cardFor,
});

export const listChangeApprovals = pagedListHandler({
  id: CHANGE_IDS.approvals,
  command: 'change',
  words: 'approvals',
  description: 'The changes waiting on your approval, oldest first, a page at a time.',
  summary: 'help.change.approvals',
  title: 'change.list.approvals',
  find: (ctx, actor, page, size) => ctx.changes.waitingOn(actor.id, page, size),
  card: cardFor,
});

export const changeStats = defineHandler({
  id: CHANGE_IDS.stats,
  description: 'The change success rate over the changes reviewed in the last 90 days.',
  entry: { commands: [{ command: 'change', words: 'stats', summary: 'help.change.stats' }] },
  input: z.object({}),
  async run(ctx, actor) {
    const reviewed = await ctx.changes.reviewed();
    if (reviewed.length === 0) return result([{ kind: 'notice', tone: 'info', text: t(actor.locale, 'change.stats.none') }]);
    const count = (outcome: string) => reviewed.filter((c) => c.outcome === outcome).length;
    const successful = count('successful');
    const text = t(actor.locale, 'change.stats', {
      rate: Math.round((100 * successful) / reviewed.length),
      count: reviewed.length,
      successful,
      failed: count('failed'),
      backedOut: count('backed_out'),
    });
    return result([{ kind: 'notice', tone: 'info', text }]);
  },
});

export const viewChange = defineHandler({
  id: CHANGE_IDS.show,
  description: 'Show a change by its number (to those it concerns, agents, approvers and change managers).',
  entry: { shows: /\bCHG\d{7}\b/g, toInput: (i) => ({ recordId: i.recordId ?? i.form?.recordId, public: i.public }) },
  input: z.object({ recordId: z.string().trim().min(1), public: z.boolean().optional() }),
  async run(ctx, actor, input) {
    const change = await loadChange(ctx, input.recordId);
    if (!mayViewChange(change, actor)) throw new DomainError('CHANGE.NOT_FOUND', { number: input.recordId });
    const card = changeCard(change, actor, ctx.catalog, actor);
    // Shown where others read it (a mention's thread): its title, state, type and window only.
    if (!input.public) return result([card]);
    const { text: _plans, ...shown } = card;
    return result([{ ...shown, fields: card.fields.slice(0, 5), context: [], actions: [] }]);
  },
});
