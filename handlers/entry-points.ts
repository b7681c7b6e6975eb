import type { MessageKey } from '../src/i18n/messages.en';

/**
 * What any platform decodes a person's act into before dispatching it: the same shape for a
 * typed command, a click on a card, a submitted form, a shortcut and a type-ahead. An adapter
 * fills what its platform sent; the handler's declaration turns it into the handler's input.
 */
export interface Interaction {
  /** The handler id the entry point carries (a button's action id, a form's submit id…). */
  entry: string;
  /** `slack`, `teams`, `web`. */
  platform: string;
  /** The platform's id of this request: a retry of the same request carries the same key. */
  requestKey?: string;
  /** Done again after the process that acknowledged it died (the durable way in). */
  replayed?: boolean;
  /** The record a card or a form is about. */
  recordId?: string;
  /** The version of the card that was clicked (a click on an older card is answered with the current one). */
  cardVersion?: number;
  /** A button's or menu's value (a chosen priority, an escalation step). */
  value?: string;
  /** The text after a command's words (`/itsm show INC0001001` → `INC0001001`). */
  argument?: string;
  /** A form's values (or a card's inputs) by field id. */
  form?: Record<string, string | string[]>;
  /** What the person typed into a type-ahead field. */
  query?: string;
  /** The message a shortcut was used on. */
  source?: { text: string; permalink?: string };
  /** The answer is posted where others read it (a mention's thread), not to the person alone. */
  public?: boolean;
}

/** A typed command: `/<command> [words] [argument]`. */
export interface CommandEntry {
  /** The command without its slash: `incident`, `itsm`, `oncall`. */
  command: string;
  /** The sub-command word (`mine`); none for the command itself. */
  words?: string;
  /** The argument, if any: the input field it fills and how it is shown in usage lines. */
  argument?: { field: string; usage: string; optional: boolean };
  /** What it does, in the reader's language (help, the platform's command list). */
  summary: MessageKey;
  /** For the command itself: what `/<command>` is for, in the platform's command list. */
  commandSummary?: MessageKey;
  /** Answers a sub-command word nobody declares (help). */
  fallback?: boolean;
}

/** A shortcut: on a message (its text comes along) or from anywhere. */
export interface ShortcutEntry {
  id: string;
  on: 'message' | 'global';
  name: MessageKey;
  summary: MessageKey;
}

/** Every way a person reaches a handler. A handler with none is reached by other handlers and jobs only. */
export interface EntryPoints {
  commands?: readonly CommandEntry[];
  shortcuts?: readonly ShortcutEntry[];
  /** A button or menu on a card carries the handler id as its action id. */
  card?: boolean;
  /** A form whose submit id is the handler id: its submission runs the handler. */
  form?: boolean;
  /** Options for a form field while the person types (the field names this handler). */
  suggest?: boolean;
  /** The person's home (Slack's App Home tab, a Teams personal tab). */
  home?: boolean;
  /** Record numbers in a message that this handler shows (a mention, an unfurl). */
  shows?: RegExp;
  /**
   * The handler's input from the interaction. Without it: the form's values, the record id and
   * the card's version; a command's argument fills the field its declaration names.
   */
  toInput?(interaction: Interaction): unknown;
}

export function defaultInput(interaction: Interaction, argumentField?: string): Record<string, unknown> {
  return {
    ...(interaction.form ?? {}),
    ...(interaction.recordId !== undefined ? { recordId: interaction.recordId } : {}),
    ...(interaction.cardVersion !== undefined ? { cardVersion: interaction.cardVersion } : {}),
    ...(argumentField && interaction.argument ? { [argumentField]: interaction.argument } : {}),
  };
}
