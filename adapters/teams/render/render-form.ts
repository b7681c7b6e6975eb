import type { FormField, FormView } from '../../../src/views/view-model';
import { formInputId, formMultiInputId, formTimeInputId, type ActionData } from './action-data';
import { adaptiveCard, textBlock, type AdaptiveCard, type Element } from './adaptive-card';

const choices = (field: FormField) => (field.options ?? []).map((o) => ({ title: o.label, value: o.value }));
const initialText = (field: FormField) => (typeof field.initial === 'string' ? field.initial : undefined);

function inputsOf(field: FormField, error: string | undefined): Element[] {
  const common = {
    label: field.label,
    isRequired: field.required,
    // Shown by Teams beside the input: the server's word when it refused the value, else why it is needed.
    ...(error ? { errorMessage: error } : field.required ? { errorMessage: field.label } : {}),
  };
  const initial = initialText(field);
  switch (field.type) {
    case 'text':
    case 'long_text':
      return [
        {
          type: 'Input.Text',
          id: formInputId(field.id),
          ...common,
          ...(field.type === 'long_text' ? { isMultiline: true } : {}),
          ...(field.maxLength ? { maxLength: field.maxLength } : {}),
          ...(field.placeholder ? { placeholder: field.placeholder } : {}),
          ...(initial ? { value: initial } : {}),
        },
      ];
    case 'select':
    case 'multi_select':
    case 'person': {
      const multi = field.type === 'multi_select';
      const id = multi ? formMultiInputId(field.id) : formInputId(field.id);
      const value = Array.isArray(field.initial) ? field.initial.join(',') : initial;
      // A type-ahead: Teams asks the suggesting handler (an application/search invoke naming it as the dataset),
      // with the card's other inputs (`associatedInputs`), so the service or group chosen above narrows it.
      if (field.suggest) {
        return [{ type: 'Input.ChoiceSet', id, ...common, style: 'filtered', isMultiSelect: multi, choices: choices(field), 'choices.data': { type: 'Data.Query', dataset: field.suggest, associatedInputs: 'auto' }, ...(value ? { value } : {}) }];
      }
      if (field.type === 'person') return [{ type: 'Input.Text', id, ...common, ...(value ? { value } : {}) }];
      return [{ type: 'Input.ChoiceSet', id, ...common, style: multi ? 'expanded' : 'compact', isMultiSelect: multi, choices: choices(field), ...(value ? { value } : {}) }];
    }
    case 'datetime':
      return [
        { type: 'Input.Date', id: formInputId(field.id), ...common },
        { type: 'Input.Time', id: formTimeInputId(field.id), isRequired: field.required, ...(field.required ? { errorMessage: field.label } : {}) },
      ];
  }
}

/**
 * A form as a card: its inputs, errors beside the fields they concern, and one Action.Execute
 * whose verb is the form's submit id. `opener` is the interaction that opened the form, so that a
 * refused submission can be drawn again.
 */
export function renderForm(form: FormView, opener?: ActionData['opener'], fieldErrors: Record<string, string> = {}, summary?: string): AdaptiveCard {
  const body: Element[] = [textBlock(form.title, { weight: 'Bolder', size: 'Medium' })];
  if (summary) body.push(textBlock(summary, { color: 'Attention' }));
  for (const field of form.fields) {
    const error = fieldErrors[field.id];
    body.push(...inputsOf(field, error));
    // errorMessage shows only when the client's own checks fail: the server's refusal is written out too.
    if (error) body.push(textBlock(error, { color: 'Attention', size: 'Small', spacing: 'None' }));
  }
  const data: ActionData = { ...(form.recordId ? { recordId: form.recordId } : {}), ...(opener ? { opener } : {}) };
  return adaptiveCard(body, [{ type: 'Action.Execute', title: form.submitLabel, verb: form.submitId, data, style: 'positive' }]);
}

/** The form drawn again with what was typed in it, after a refusal. */
export function withValues(form: FormView, values: Record<string, string | string[]>): FormView {
  return { ...form, fields: form.fields.map((f) => (values[f.id] !== undefined ? { ...f, initial: values[f.id] } : f)) };
}
