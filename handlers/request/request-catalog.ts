import { z } from 'zod';
import type { CatalogItemConfig } from '../../src/config/itsm-catalog';
import { DomainError } from '../../src/domain/domain-error';
import { t } from '../../src/i18n/translate';
import { REQUEST_IDS } from '../../src/views/request-actions';
import type { CardView, FormField, FormView } from '../../src/views/view-model';
import { CMDB_IDS } from '../cmdb/suggest-configuration-items';
import { defineHandler, result, type HandlerContext } from '../handler';
import { PEOPLE_IDS } from '../people/suggest-people';
import type { Actor } from '../../src/people/people-directory';

export const ANSWER_MAX = 3000;

/** The catalog item's form: its fields, the required ones marked, choices as menus. */
export function catalogForm(item: CatalogItemConfig, actor: Actor): FormView {
  const fields = item.fields.map((f): FormField => {
    const base = { id: f.id, label: f.label, required: f.required };
    switch (f.type) {
      case 'select':
      case 'multi_select':
        return { ...base, type: f.type, options: (f.options ?? []).map((o) => ({ value: o, label: o })) };
      case 'configuration_item':
        return { ...base, type: 'select', suggest: CMDB_IDS.suggest };
      case 'person':
        return { ...base, type: 'select', suggest: PEOPLE_IDS.suggest };
      case 'number':
        return { ...base, type: 'text', maxLength: 30, placeholder: '0' };
      case 'long_text':
        return { ...base, type: 'long_text', maxLength: ANSWER_MAX };
      case 'datetime':
        return { ...base, type: 'datetime' };
      default:
        return { ...base, type: 'text', maxLength: 300 };
    }
  });
  return { kind: 'form', title: item.name.slice(0, 24), submitId: REQUEST_IDS.submit, submitLabel: t(actor.locale, 'request.form.submit'), recordId: item.key, fields };
}

/** The items whose name, key, category or description has a word starting with each word typed. */
function matching(ctx: HandlerContext, search: string): CatalogItemConfig[] {
  const words = search.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  return ctx.catalog.config.catalog.filter((item) => {
    const tokens = `${item.key} ${item.name} ${item.category} ${item.description}`.toLowerCase().split(/[^\p{L}\p{N}]+/u);
    return words.every((w) => tokens.some((token) => token.startsWith(w)));
  });
}

function itemCard(item: CatalogItemConfig, actor: Actor): CardView {
  return {
    kind: 'card',
    title: item.name,
    fields: [],
    ...(item.description ? { text: item.description } : {}),
    context: [item.category],
    actions: [{ actionId: REQUEST_IDS.form, label: t(actor.locale, 'request.action.open'), recordId: item.key, style: 'primary' }],
  };
}

export const showCatalog = defineHandler({
  id: REQUEST_IDS.catalog,
  description: 'The service catalog, by category, searchable: one match opens its form.',
  entry: {
    commands: [{ command: 'request', argument: { field: 'search', usage: 'what you need', optional: true }, summary: 'help.request.catalog', commandSummary: 'command.request' }],
  },
  input: z.object({ search: z.string().max(200).default('') }),
  async run(ctx, actor, input) {
    const found = matching(ctx, input.search);
    if (found.length === 1 && input.search.trim()) return result([catalogForm(found[0] as CatalogItemConfig, actor)]);
    const byCategory = [...new Set(found.map((item) => item.category))].sort();
    const items = byCategory.flatMap((category) => found.filter((item) => item.category === category).map((item) => itemCard(item, actor)));
    return result([{ kind: 'list', title: t(actor.locale, 'request.catalog.title'), empty: t(actor.locale, 'request.catalog.empty'), items }]);
  },
});

export const openRequestForm = defineHandler({
  id: REQUEST_IDS.form,
  description: "Open a catalog item's form.",
  entry: { card: true, toInput: (i) => ({ item: i.recordId ?? i.argument }) },
  input: z.object({ item: z.string().min(1) }),
  async run(ctx, actor, input) {
    const item = ctx.catalog.config.catalog.find((c) => c.key === input.item);
    if (!item) throw new DomainError('CATALOG.UNKNOWN', { item: input.item });
    return result([catalogForm(item, actor)]);
  },
});
