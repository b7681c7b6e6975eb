import type { ViewOutput } from '@slack/bolt';

type StateValue = ViewOutput['state']['values'][string][string];

/** The value of one input element, as the handler's schema expects it (string, list or undefined). */
function valueOf(element: StateValue): string | string[] | undefined {
  switch (element.type) {
    case 'plain_text_input':
      return element.value ?? undefined;
    case 'static_select':
    case 'external_select':
      return element.selected_option?.value ?? undefined;
    case 'multi_static_select':
    case 'multi_external_select':
      return (element.selected_options ?? []).map((o) => o.value);
    case 'users_select':
      return element.selected_user ?? undefined;
    case 'datetimepicker':
      return typeof element.selected_date_time === 'number' ? new Date(element.selected_date_time * 1000).toISOString() : undefined;
    case 'datepicker':
      return element.selected_date ?? undefined;
    default:
      return element.value ?? undefined;
  }
}

/**
 * `view.state.values` → `{ fieldId: value }` (our block_id is the field id). Built with
 * Object.fromEntries, so a block id such as `__proto__` is a key like any other.
 */
export function parseViewState(view: { state?: Pick<ViewOutput, 'state'>['state'] | undefined }): Record<string, string | string[]> {
  const entries: [string, string | string[]][] = [];
  for (const [blockId, elements] of Object.entries(view.state?.values ?? {})) {
    for (const element of Object.values(elements)) {
      const value = valueOf(element);
      if (value !== undefined && value !== '') entries.push([blockId, value]);
    }
  }
  return Object.fromEntries(entries);
}

/** What was typed into the inputs of the clicked record's card (see cardInputBlockId), by input id. */
export function parseCardInputs(state: Pick<ViewOutput, 'state'>['state'] | undefined, recordId: string): Record<string, string | string[]> {
  const suffix = `:${recordId}`;
  const values = parseViewState({ state });
  return Object.fromEntries(
    Object.entries(values)
      .filter(([blockId]) => blockId.endsWith(suffix))
      .map(([blockId, value]) => [blockId.slice(0, -suffix.length), value]),
  );
}
