import { z } from 'zod';
import { CHANGE_OUTCOMES, type ChangeAction, type ChangeState } from '../../src/domain/change-lifecycle';
import { t } from '../../src/i18n/translate';
import type { ChangeDoc } from '../../src/models/change.model';
import type { Actor } from '../../src/people/people-directory';
import { CHANGE_IDS } from '../../src/views/change-actions';
import { defineHandler, result, type HandlerContext, type HandlerResult } from '../handler';
import { authoriseChangeAction, changeChange, changeUpdated, loadChange, refuseChange } from './change-flow';

const onChange = z.object({ recordId: z.string().min(1) });

/** One step of a change's life: authorised on the change as it now is (retried after a conflict), audited, everyone's card redrawn. */
async function move(
  ctx: HandlerContext,
  actor: Actor,
  recordId: string,
  action: ChangeAction,
  to: (change: ChangeDoc) => { set: Record<string, unknown>; after: Record<string, unknown> },
  input: Record<string, unknown> = {},
): Promise<HandlerResult> {
  const { after } = await changeChange(ctx, actor, recordId, async (change) => {
    await authoriseChangeAction(ctx, actor, change, action, input);
    const planned = to(change);
    return { action, set: planned.set, before: { state: change.state }, after: planned.after };
  });
  return changeUpdated(ctx, actor, after);
}

const moveTo = (state: ChangeState) => () => ({ set: { state }, after: { state } });

export const overrideChangeFreeze = defineHandler({
  id: CHANGE_IDS.overrideFreeze,
  description: 'Let a change in a freeze be approved (change managers; audited).',
  entry: { card: true },
  input: onChange,
  async run(ctx, actor, input) {
    // Checked on the change as it now is, so that of two change managers at once one overrides.
    const { after } = await changeChange(ctx, actor, input.recordId, async (change) => {
      await authoriseChangeAction(ctx, actor, change, 'override_freeze');
      if (change.freezes.length === 0 || change.freezeOverride) await refuseChange(ctx, actor, change, 'override_freeze', 'CHANGE.NOT_FROZEN');
      return {
        action: 'override_freeze',
        set: { freezeOverride: { byName: actor.name, at: ctx.now() } },
        before: { freezeOverride: null },
        after: { freezes: change.freezes, overriddenBy: actor.name },
      };
    });
    return changeUpdated(ctx, actor, after);
  },
});

export const startChange = defineHandler({
  id: CHANGE_IDS.start,
  description: 'Start implementing a scheduled change.',
  entry: { card: true },
  input: onChange,
  run: (ctx, actor, input) => move(ctx, actor, input.recordId, 'start', moveTo('implementing')),
});

export const completeChangeForm = defineHandler({
  id: CHANGE_IDS.completeForm,
  description: "Open the form recording a change's outcome.",
  entry: { card: true },
  input: onChange,
  async run(ctx, actor, input) {
    const change = await loadChange(ctx, input.recordId);
    await authoriseChangeAction(ctx, actor, change, 'complete');
    return result([
      {
        kind: 'form',
        title: t(actor.locale, 'change.form.complete', { number: change.number }),
        submitId: CHANGE_IDS.complete,
        submitLabel: t(actor.locale, 'change.form.submit'),
        recordId: change._id,
        fields: [
          { id: 'outcome', label: t(actor.locale, 'change.field.outcome'), type: 'select', required: true, options: CHANGE_OUTCOMES.map((o) => ({ value: o, label: t(actor.locale, `change.outcome.${o}`) })) },
          { id: 'notes', label: t(actor.locale, 'change.field.outcomeNotes'), type: 'long_text', required: false, maxLength: 3000 },
        ],
      },
    ]);
  },
});

export const completeChange = defineHandler({
  id: CHANGE_IDS.complete,
  description: "Record a change's outcome (successful, failed, backed out): it goes to review.",
  entry: { form: true },
  input: z.object({ recordId: z.string().min(1), outcome: z.enum(CHANGE_OUTCOMES), notes: z.string().trim().max(3000).default('') }),
  run: (ctx, actor, input) =>
    move(ctx, actor, input.recordId, 'complete', () => ({
      set: { state: 'review', outcome: input.outcome, outcomeNotes: input.notes || null },
      after: { state: 'review', outcome: input.outcome },
    }), { outcome: input.outcome }),
});

export const closeChange = defineHandler({
  id: CHANGE_IDS.close,
  description: "Close a change's review (change managers).",
  entry: { card: true },
  input: onChange,
  run: (ctx, actor, input) => move(ctx, actor, input.recordId, 'close', moveTo('closed')),
});

export const cancelChange = defineHandler({
  id: CHANGE_IDS.cancel,
  description: 'Cancel a change not started yet.',
  entry: { card: true },
  input: onChange,
  run: (ctx, actor, input) => move(ctx, actor, input.recordId, 'cancel', moveTo('cancelled')),
});
