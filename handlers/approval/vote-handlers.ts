import { z } from 'zod';
import type { MessageKey } from '../../src/i18n/messages.en';
import { t } from '../../src/i18n/translate';
import { defineHandler, result } from '../handler';
import { castVote, mayVote, type ApprovalFlow, type Votable } from './approval-vote';

const REASON_MAX = 1000;

/** The step a card's button carries (its value). */
export const stepOf = (value: string | undefined) => (value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined);

/**
 * The three ways to vote on a record of one kind: Approve on its card (a comment optional), Reject…
 * on its card opening a form, and that form's submission (a reason required).
 */
export function voteHandlers<T extends Votable>(flow: ApprovalFlow<T>, spec: { noun: string; ids: { approve: string; rejectForm: string; reject: string }; rejectTitle: MessageKey }) {
  const approve = defineHandler({
    id: spec.ids.approve,
    description: `Approve a ${spec.noun} at your step of its approval, with an optional comment.`,
    entry: { card: true, toInput: (i) => ({ recordId: i.recordId, step: stepOf(i.value), comment: i.form?.comment }) },
    input: z.object({ recordId: z.string().min(1), step: z.number().int().min(0).optional(), comment: z.string().trim().max(REASON_MAX).optional() }),
    run: (ctx, actor, input) => castVote(flow, ctx, actor, { ...input, decision: 'approved' }),
  });

  const rejectForm = defineHandler({
    id: spec.ids.rejectForm,
    description: `Open the form to reject a ${spec.noun} (a reason is required).`,
    entry: { card: true, toInput: (i) => ({ recordId: i.recordId, step: stepOf(i.value) }) },
    input: z.object({ recordId: z.string().min(1), step: z.number().int().min(0).optional() }),
    async run(ctx, actor, input) {
      const record = await flow.load(ctx, input.recordId);
      const step = input.step ?? record.currentStep;
      await mayVote(flow, ctx, actor, record, step, 'reject');
      return result([
        {
          kind: 'form',
          title: t(actor.locale, spec.rejectTitle, { number: record.number }),
          submitId: spec.ids.reject,
          submitLabel: t(actor.locale, 'request.form.rejectSubmit'),
          // The step travels with the record id: `REQ0001001#0`.
          recordId: `${record._id}#${step}`,
          fields: [{ id: 'reason', label: t(actor.locale, 'request.field.reason'), type: 'long_text', required: true, maxLength: REASON_MAX }],
        },
      ]);
    },
  });

  const reject = defineHandler({
    id: spec.ids.reject,
    description: `Reject a ${spec.noun} at your step of its approval, with the reason its requester reads.`,
    entry: {
      form: true,
      toInput: (i) => {
        const [recordId, step] = (i.recordId ?? '').split('#');
        return { recordId, step: stepOf(step), reason: i.form?.reason };
      },
    },
    input: z.object({ recordId: z.string().min(1), step: z.number().int().min(0).optional(), reason: z.string().trim().min(1).max(REASON_MAX) }),
    run: (ctx, actor, input) => castVote(flow, ctx, actor, { recordId: input.recordId, step: input.step, decision: 'rejected', comment: input.reason }),
  });

  return { approve, rejectForm, reject };
}
