import type { MessageKey } from '../src/i18n/messages.en';
import { t } from '../src/i18n/translate';
import type { Actor } from '../src/people/people-directory';
import type { RecordPage } from '../src/services/open-record-lists';
import { PAGE_SIZE, pagedList } from '../src/views/paged-list';
import type { CardView } from '../src/views/view-model';
import { defineHandler, result, type HandlerContext } from './handler';
import { z } from 'zod';

/** A page is chosen by a click on a list's page button (its value) or typed after the command (`/itsm queue 2`). */
const pageInput = {
  toInput: (i: { value?: string; argument?: string }) => ({ page: i.value ?? (i.argument?.trim() || undefined) }),
  input: z.object({ page: z.coerce.number().int().min(1).max(100_000).default(1) }),
};

/**
 * A list of records a page at a time (incidents, requests, changes): typed as `/<command> <words> [page]`, or clicked on a list's
 * page buttons; each record drawn as a card for the reader.
 */
export function pagedListHandler<T>(spec: {
  id: string;
  command: string;
  words: string;
  description: string;
  summary: MessageKey;
  title: MessageKey;
  requiredRole?: 'agent';
  find(ctx: HandlerContext, actor: Actor, page: number, size: number): Promise<RecordPage<T>>;
  card(ctx: HandlerContext, actor: Actor, record: T): CardView;
}) {
  return defineHandler({
    id: spec.id,
    description: spec.description,
    entry: {
      commands: [{ command: spec.command, words: spec.words, argument: { field: 'page', usage: 'page', optional: true }, summary: spec.summary }],
      card: true,
      toInput: pageInput.toInput,
    },
    input: pageInput.input,
    ...(spec.requiredRole ? { requiredRole: spec.requiredRole } : {}),
    async run(ctx, actor, input) {
      const found = await spec.find(ctx, actor, input.page - 1, PAGE_SIZE);
      return result([
        pagedList(actor.locale, {
          title: t(actor.locale, spec.title),
          empty: t(actor.locale, 'incident.list.empty'),
          items: found.records.map((record) => spec.card(ctx, actor, record)),
          page: input.page,
          total: found.total,
          handlerId: spec.id,
        }),
      ]);
    },
  });
}
