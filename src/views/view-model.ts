/**
 * The neutral views handlers return. Each adapter draws them natively (Block Kit, Adaptive
 * Cards, HTML); no platform's format appears here.
 */

export interface ActionView {
  /** From an `as const` action table, e.g. `incident.ack`. */
  actionId: string;
  label: string;
  recordId: string;
  style?: 'primary' | 'danger';
  /** Extra value carried back with the click (e.g. a chosen priority). */
  value?: string;
  /** Choices, for an overflow/menu action. */
  options?: { value: string; label: string }[];
}

export interface CardView {
  kind: 'card';
  title: string;
  /** Short label/value pairs (priority, state, assignee…). */
  fields: { label: string; value: string }[];
  text?: string;
  context?: string[];
  actions: ActionView[];
  recordId?: string;
  /** A line for the thread under the card, describing the change that produced this card. */
  threadLine?: string;
}

export type FormFieldType = 'text' | 'long_text' | 'select' | 'multi_select' | 'person' | 'datetime';

export interface FormField {
  id: string;
  label: string;
  type: FormFieldType;
  required: boolean;
  options?: { value: string; label: string }[];
  initial?: string | string[];
  placeholder?: string;
  maxLength?: number;
  /** Options come from a search as the person types (configuration items). */
  searchable?: boolean;
}

export interface FormView {
  kind: 'form';
  title: string;
  submitId: string;
  submitLabel: string;
  recordId?: string;
  fields: FormField[];
}

export interface NoticeView {
  kind: 'notice';
  tone: 'info' | 'success' | 'error';
  text: string;
  /** Field id → what is wrong, for a form that must show errors beside its fields. */
  fieldErrors?: Record<string, string>;
}

export interface ListView {
  kind: 'list';
  title: string;
  empty: string;
  items: CardView[];
}

/** Choices for a field the person is typing into (type-ahead). */
export interface OptionsView {
  kind: 'options';
  options: { value: string; label: string }[];
}

export type View = CardView | FormView | NoticeView | ListView | OptionsView;

/** Something to post without the person asking in that moment: a channel card, a DM. */
export interface Announcement {
  reason: string;
  recordId: string;
  audience: { kind: 'channel'; service: string } | { kind: 'group'; group: string } | { kind: 'person'; personId: string };
  view: CardView;
}
