import type { App } from '../../../src/app';
import type { TestClock } from '../factories';

/** An action as the platform shows it on a card: its id and, for a menu, the choices it offers. */
export interface RenderedAction {
  actionId: string;
  label: string;
  /** The value a button carries back (decoded from what the platform carries), if any. */
  value?: string;
  /** The neutral values behind a menu's options (decoded from what the platform carries). */
  choices: string[];
}

/** A card as the platform shows it: its visible text (platform markup resolved) and its actions. */
export interface RenderedCard {
  recordId: string;
  text: string;
  actions: RenderedAction[];
  /** The ids of the inputs typed on the card (sent with its buttons). */
  inputs: string[];
  /** The platform's own form of the card (blocks, an Adaptive Card, HTML), for the driver. */
  raw: unknown;
}

/** A form as the platform shows it. */
export interface RenderedForm {
  submitId: string;
  fieldIds: string[];
  raw: unknown;
}

/** What came back to the person after a click, a command or a submission. */
export interface Outcome {
  form?: RenderedForm;
  /** Field id → what is wrong, when the platform shows errors beside the fields. */
  fieldErrors?: Record<string, string>;
}

/**
 * What the conformance suite needs of a platform: render what the handlers returned as the
 * platform shows it, and send clicks, submissions, type-aheads and commands as the platform sends
 * them (over HTTP, signed, in its payload shapes). People are named by their e-mail.
 */
export interface PlatformDriver {
  platform: string;
  app: App;
  clock: TestClock;
  /** The record's card in its service's channel, as last posted or edited. */
  channelCard(recordId: string): Promise<RenderedCard | undefined>;
  /** The person's own card of the record (an approver's, a requester's), as last posted or edited. */
  personCard(recordId: string, email: string): Promise<RenderedCard | undefined>;
  /** The record's card in a group's channel (a fulfilment group's), as last posted or edited. */
  groupCard(recordId: string, group: string): Promise<RenderedCard | undefined>;
  /** The latest direct message the person received about the record that offers `actionId` (a page, a resolution). */
  directCard(recordId: string, email: string, actionId: string): Promise<RenderedCard | undefined>;
  /** The lines under the record's channel card (its thread), oldest first. */
  threadLines(recordId: string): Promise<string[]>;
  /** What the person was told privately since the driver started (texts, oldest first). */
  toldPrivately(email: string): string[];
  /** Clicks the action: a menu's `choice`, and what is typed in the card's `inputs`, go with it. */
  click(card: RenderedCard, actionId: string, email: string, typed?: { choice?: string; inputs?: Record<string, string> }): Promise<Outcome>;
  /** Fills the form (a field given `{ suggest }` takes the first suggestion for that query) and submits it. */
  submit(form: RenderedForm, values: Record<string, string | { suggest: string }>, email: string): Promise<Outcome>;
  /** The option values the form's field suggests for the query, with the form's other values so far. */
  suggest(form: RenderedForm, fieldId: string, query: string, values: Record<string, string>, email: string): Promise<string[]>;
  /**
   * A typed command (`/itsm mine`), answered as the platform answers it: the reply's text, and
   * the reply as a card when it offers actions (a list's pages).
   */
  command(text: string, email: string): Promise<Outcome & { reply?: string; card?: RenderedCard }>;
  close(): Promise<void>;
}

/** The form's values, each `{ suggest }` replaced by the first option the platform suggests for it (as a person picks it). */
export async function chooseSuggestions(driver: PlatformDriver, form: RenderedForm, values: Record<string, string | { suggest: string }>, email: string): Promise<Record<string, string>> {
  const plain: Record<string, string> = {};
  for (const [field, value] of Object.entries(values)) {
    if (typeof value === 'string') {
      plain[field] = value;
      continue;
    }
    const [first] = await driver.suggest(form, field, value.suggest, plain, email);
    if (!first) throw new Error(`nothing suggested for ${field} on "${value.suggest}"`);
    plain[field] = first;
  }
  return plain;
}
