import { z } from 'zod';
import { t } from '../../src/i18n/translate';
import { defineHandler, result } from '../handler';

export const TICKET_IDS = { notHandledYet: 'ticket.not_handled_yet' } as const;

const KIND_OF_PREFIX = { PRB: 'ticket.kind.PRB' } as const;

/**
 * Problem numbers are recognised in messages, and the person is told
 * plainly that opsdesk does not handle them yet (instead of silence) until their handlers show them.
 */
export const ticketsNotHandledYet = defineHandler({
  id: TICKET_IDS.notHandledYet,
  description: 'Say that a problem number is not handled yet.',
  entry: { shows: /\bPRB\d{7}\b/g, toInput: (i) => ({ recordId: i.recordId }) },
  input: z.object({ recordId: z.string().regex(/^PRB\d{7}$/) }),
  async run(_ctx, actor, input) {
    const kind = KIND_OF_PREFIX[input.recordId.slice(0, 3) as keyof typeof KIND_OF_PREFIX];
    return result([{ kind: 'notice', tone: 'info', text: t(actor.locale, 'ticket.kindNotYet', { number: input.recordId, kind: t(actor.locale, kind) }) }]);
  },
});
