import { formatInstant, type Locale } from '../../../src/i18n/translate';
import type { ActionView, CardField, CardView, Severity } from '../../../src/views/view-model';
import { cardInputId, choiceInputId, type ActionData } from './action-data';
import { adaptiveCard, escapeMarkdown, textBlock, type AdaptiveCard, type Element } from './adaptive-card';

/** Who the card is drawn for: times in their zone, and who gets it refreshed with their own buttons. */
export interface Viewer {
  locale: Locale;
  timeZone: string;
  /** Teams user ids (`29:…`) whose client asks for their own card when it shows this one. */
  refreshUserIds?: string[];
}

/** The handler that draws a record's card for one person (its id is the refresh's verb). */
export type RefreshVerbOf = (recordId: string) => string | undefined;

const SEVERITY_COLOR: Readonly<Record<Severity, string>> = {
  critical: 'Attention',
  high: 'Warning',
  moderate: 'Accent',
  low: 'Default',
  planning: 'Default',
};

/** An instant in the viewer's zone; a field holding more than its instant (a window's start – end) as written. */
function fieldValue(field: CardField, viewer: Viewer): string {
  return field.at && !/\s–\s/.test(field.value) ? formatInstant(field.at, viewer.locale, viewer.timeZone) : field.value;
}

const actionStyle = (action: ActionView) => (action.style === 'primary' ? { style: 'positive' } : action.style === 'danger' ? { style: 'destructive' } : {});

function execute(action: ActionView, title: string, data: ActionData): Element {
  return { type: 'Action.Execute', title, verb: action.actionId, data, ...actionStyle(action) };
}

/** A click's Action.Execute; a confirmation comes first as a shown card holding the real button. */
export function renderAction(action: ActionView, cardVersion: number | undefined): Element {
  const data: ActionData = {
    recordId: action.recordId,
    ...(cardVersion !== undefined ? { cardVersion } : {}),
    ...(action.value !== undefined ? { value: action.value } : {}),
    ...(action.options ? { choice: choiceInputId(action.actionId, action.recordId) } : {}),
  };
  if (!action.confirm) return execute(action, action.label, data);
  return {
    type: 'Action.ShowCard',
    title: action.label,
    card: adaptiveCard([textBlock(action.confirm.title, { weight: 'Bolder' }), textBlock(action.confirm.text)], [execute(action, action.confirm.confirm, data)]),
  };
}

/** What a card shows above its buttons: its inputs, and a menu's choices (its button carries the chosen one). */
function inputsOf(card: CardView): Element[] {
  return card.actions.flatMap((action): Element[] => {
    if (action.options) {
      return [{ type: 'Input.ChoiceSet', id: choiceInputId(action.actionId, action.recordId), label: action.label, style: 'compact', choices: action.options.map((o) => ({ title: o.label, value: o.value })) }];
    }
    if (!action.input) return [];
    const input = action.input;
    return [
      {
        type: 'Input.Text',
        id: cardInputId(input.id, action.recordId),
        label: input.label,
        isRequired: input.required,
        ...(input.required ? { errorMessage: input.label } : {}),
        ...(input.multiline ? { isMultiline: true } : {}),
        ...(input.maxLength ? { maxLength: input.maxLength } : {}),
        ...(input.placeholder ? { placeholder: input.placeholder } : {}),
      },
    ];
  });
}

/** The card's content, without its buttons: a list stacks several. */
export function cardBody(card: CardView, viewer: Viewer): Element[] {
  const body: Element[] = [textBlock(escapeMarkdown(card.title), { weight: 'Bolder', size: 'Medium', ...(card.severity ? { color: SEVERITY_COLOR[card.severity] } : {}) })];
  if (card.fields.length > 0) body.push({ type: 'FactSet', facts: card.fields.map((f) => ({ title: f.label, value: escapeMarkdown(fieldValue(f, viewer)) })) });
  if (card.text) body.push(textBlock(escapeMarkdown(card.text)));
  for (const line of card.context ?? []) body.push(textBlock(escapeMarkdown(line), { isSubtle: true, size: 'Small' }));
  const links = (card.links ?? []).filter((l) => /^https?:\/\//i.test(l.url));
  if (links.length > 0) body.push(textBlock(links.map((l) => `[${escapeMarkdown(l.label)}](${l.url.replace(/\)/g, '%29')})`).join(' · ')));
  return [...body, ...inputsOf(card)];
}

/** One record's card; refreshed for the viewers named, so each sees the buttons they may use. */
export function renderCard(card: CardView, viewer: Viewer, refreshVerbOf: RefreshVerbOf = () => undefined): AdaptiveCard {
  const drawn = adaptiveCard(cardBody(card, viewer), card.actions.map((a) => renderAction(a, card.version)));
  const verb = card.recordId ? refreshVerbOf(card.recordId) : undefined;
  if (!verb || !card.recordId || !viewer.refreshUserIds?.length) return drawn;
  // Teams asks again (an adaptiveCard/action invoke, trigger "automatic") for each of these viewers; 60 at most.
  return { ...drawn, refresh: { action: { type: 'Action.Execute', verb, data: { recordId: card.recordId } }, userIds: viewer.refreshUserIds.slice(0, 60) } };
}
