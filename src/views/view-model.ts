/**
 * The neutral views handlers return. Each adapter draws them natively (Block Kit, Adaptive
 * Cards, HTML); no platform's format appears here.
 */

/** A question the person answers before the action runs (closing, passing a page on). */
export interface ConfirmView {
  title: string;
  text: string;
  confirm: string;
  deny: string;
}

export interface ActionView {
  /** The id of the handler the click runs (its declaration says the action is on a card). */
  actionId: string;
  label: string;
  recordId: string;
  style?: 'primary' | 'danger';
  /** Extra value carried back with the click (e.g. the escalation step that paged the person). */
  value?: string;
  /** Choices, for an overflow/menu action; the chosen one is carried back as the value. */
  options?: { value: string; label: string }[];
  confirm?: ConfirmView;
  /** A text typed on the card beside the button and sent with the click (a comment, a reason to reject). */
  input?: CardInput;
}

export interface CardInput {
  /** The field of the handler's input the text fills. */
  id: string;
  label: string;
  required: boolean;
  multiline?: boolean;
  maxLength?: number;
  placeholder?: string;
}

/** How urgent a record is, for platforms that show it as a colour or an icon. */
export type Severity = 'critical' | 'high' | 'moderate' | 'low' | 'planning';

/**
 * A label and its value. `value` is the text in the reader's language and zone; an instant also
 * carries `at`, so that a platform able to show each viewer their own time zone does so, and a
 * person carries who they are, so that a platform able to mention them does.
 */
export interface CardField {
  label: string;
  value: string;
  at?: Date;
  /** The person the value names, so that a platform able to mention them does. */
  person?: { id: string; name: string };
}

export interface CardView {
  kind: 'card';
  title: string;
  severity?: Severity;
  /** Short label/value pairs (priority, state, assignee…). */
  fields: CardField[];
  text?: string;
  context?: string[];
  /** Where the record came from or lives elsewhere (the reported message). */
  links?: { label: string; url: string }[];
  /**
   * The actions on the card. A card built for one viewer holds only those that viewer may take;
   * a card many see (a channel's) holds every action the record's state allows.
   */
  actions: ActionView[];
  recordId?: string;
  /** The record's version the card shows: a click on an older card is answered with the current one. */
  version?: number;
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
  /**
   * Options come from this handler as the person types (configuration items, people); it sees
   * the form's other values (the service or group chosen above).
   */
  suggest?: string;
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
  /** A page of a longer list: which items these are of how many ("21–40 of 500", in the reader's language). */
  range?: string;
  /** The ways to the previous and next pages: each runs the list's handler again for that page. */
  pages?: ActionView[];
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
  /**
   * What makes this announcement one of its kind, so that the outbox stores it once (a replayed
   * request stores nothing new): by default its reason and the version of the record it shows.
   * An announcement that does not change the record (a page passed on) names its own.
   */
  key?: string;
  recordId: string;
  audience:
    | { kind: 'channel'; service: string }
    | { kind: 'group'; group: string }
    /** A message to the person. */
    | { kind: 'person'; personId: string }
    /** The person's own card of the record (an approver's, a requester's): posted once, then edited as the record changes. */
    | { kind: 'personCard'; personId: string }
    /** The record's card in a group's channel (a fulfilment group's): posted once, then edited. */
    | { kind: 'groupCard'; group: string };
  view: CardView;
}
