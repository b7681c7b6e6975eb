import { collisionsWith, itemsConcerned } from '../../src/domain/change-rules';
import { formatInstant, t } from '../../src/i18n/translate';
import type { ChangeDoc } from '../../src/models/change.model';
import { CHANGE_IDS } from '../../src/views/change-actions';
import type { ApprovalFlow } from '../approval/approval-vote';
import type { HandlerContext } from '../handler';
import type { Milestone } from '../../src/views/request-announcements';
import { voteHandlers } from '../approval/vote-handlers';
import { authoriseChangeAction, changeChange, changeUpdated, loadChange, mayViewChange, refuseChange } from './change-flow';

/** The requester's message for the decision the change carries. */
function changeDecisionMilestone(ctx: HandlerContext, change: ChangeDoc): Milestone | undefined {
  const params = { number: change.number, title: change.title };
  if (change.state === 'rejected' && change.rejection) {
    return { key: 'change.told.rejected', reason: 'change.rejected', params: { ...params, ...change.rejection, name: change.rejection.byName } };
  }
  if (change.state !== 'scheduled') return undefined;
  const { locale, timeZone } = ctx.catalog.config.defaults;
  return { key: 'change.told.approved', reason: 'change.approved', params: { ...params, start: formatInstant(new Date(change.windowStart), locale, timeZone) } };
}

/** How a change is voted on (the CAB's tally on every member's card): approved, it is scheduled; rejected, the requester reads why. */
const CHANGE_VOTES: ApprovalFlow<ChangeDoc> = {
  kind: 'change',
  deciding: 'assessment',
  mayView: mayViewChange,
  notFound: 'CHANGE.NOT_FOUND',
  load: loadChange,
  refuse: (ctx, actor, change, action, code, params) => refuseChange(ctx, actor, change, action, code, params),
  authorise: (ctx, actor, change, action, input) => authoriseChangeAction(ctx, actor, change, action, input),
  change: changeChange,
  async decided(ctx, change, outcome, rejection) {
    if (outcome === 'rejected') return { set: { state: 'rejected', rejection }, milestone: changeDecisionMilestone(ctx, { ...change, state: 'rejected', rejection }) };
    // Collisions are looked for again as it is approved: others may have been scheduled since it was submitted.
    const cmdb = ctx.catalog.config.configurationItems;
    const others = await ctx.changes.openOn(itemsConcerned(change.affectedItems, cmdb));
    const collisions = collisionsWith(change, others, cmdb).map(({ change: other, item }) => ({ number: other.number, title: other.title, state: other.state, item }));
    return { set: { state: 'scheduled', collisions }, milestone: changeDecisionMilestone(ctx, { ...change, state: 'scheduled' }) };
  },
  decisionMilestone: (ctx, change) => changeDecisionMilestone(ctx, change),
  updated: changeUpdated,
  stateName: (locale, state) => t(locale, `change.state.${state}` as Parameters<typeof t>[1]),
};

export const { approve: approveChange, rejectForm: rejectChangeForm, reject: rejectChange } = voteHandlers(CHANGE_VOTES, {
  noun: 'change',
  ids: { approve: CHANGE_IDS.approve, rejectForm: CHANGE_IDS.rejectForm, reject: CHANGE_IDS.reject },
  rejectTitle: 'change.form.reject',
});
