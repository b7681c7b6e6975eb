/**
 * What an Action.Execute carries back (its `data`), beside its verb (the handler id). Teams merges
 * the card's inputs into the same object, by input id: ours are namespaced so they cannot clash.
 */
export interface ActionData {
  recordId?: string;
  cardVersion?: number;
  value?: string;
  /** The input whose chosen value is this action's value (a menu drawn as a choice set and a button). */
  choice?: string;
  /** The interaction that opened the form this action submits: run again to redraw it with its errors. */
  opener?: { entry: string; recordId?: string; argument?: string; value?: string };
}

const CARD_INPUT = 'in:';
const FORM_INPUT = 'f:';
const FORM_TIME = 't:';
const FORM_MULTI = 'm:';

/** A card's input, one per record on the card (a list shows several cards' inputs at once). */
export const cardInputId = (inputId: string, recordId: string) => `${CARD_INPUT}${recordId}:${inputId}`;
export const choiceInputId = (actionId: string, recordId: string) => `${CARD_INPUT}${recordId}:choice:${actionId}`;
export const formInputId = (fieldId: string) => `${FORM_INPUT}${fieldId}`;
export const formMultiInputId = (fieldId: string) => `${FORM_MULTI}${fieldId}`;
/** A date-time field is drawn as a date and a time input: this is the time's. */
export const formTimeInputId = (fieldId: string) => `${FORM_TIME}${fieldId}`;

export interface DecodedAction {
  recordId?: string;
  cardVersion?: number;
  value?: string;
  form: Record<string, string | string[]>;
  opener?: ActionData['opener'];
}

/** The click's record, version, value, and the inputs that belong to it (the card's, or the form's). */
export function decodeActionData(raw: unknown, timeZone: string): DecodedAction {
  const data = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const recordId = typeof data.recordId === 'string' ? data.recordId : undefined;
  const cardVersion = typeof data.cardVersion === 'number' && Number.isInteger(data.cardVersion) ? data.cardVersion : undefined;
  const choice = typeof data.choice === 'string' ? data.choice : undefined;
  const chosen = choice && typeof data[choice] === 'string' && data[choice] !== '' ? (data[choice] as string) : undefined;
  const value = chosen ?? (typeof data.value === 'string' ? data.value : undefined);
  const form: Record<string, string | string[]> = {};
  const ownPrefix = recordId !== undefined ? `${CARD_INPUT}${recordId}:` : undefined;
  for (const [key, entry] of Object.entries(data)) {
    if (typeof entry !== 'string' || entry === '') continue;
    if (key.startsWith(FORM_INPUT)) {
      const field = key.slice(FORM_INPUT.length);
      const time = data[`${FORM_TIME}${field}`];
      if (typeof time === 'string' && time !== '') form[field] = wallClockInstant(entry, time, timeZone) ?? entry;
      // A multi-select choice set answers its values comma-separated.
      else form[field] = entry;
    } else if (key.startsWith(FORM_MULTI)) {
      // A multi-select choice set answers its values comma-separated.
      form[key.slice(FORM_MULTI.length)] = entry.split(',').filter(Boolean);
    } else if (ownPrefix && key.startsWith(ownPrefix) && !key.startsWith(`${ownPrefix}choice:`)) {
      form[key.slice(ownPrefix.length)] = entry;
    }
  }
  const opener = data.opener && typeof data.opener === 'object' && typeof (data.opener as { entry?: unknown }).entry === 'string' ? (data.opener as ActionData['opener']) : undefined;
  return {
    ...(recordId !== undefined ? { recordId } : {}),
    ...(cardVersion !== undefined ? { cardVersion } : {}),
    ...(value !== undefined ? { value } : {}),
    form,
    ...(opener ? { opener } : {}),
  };
}

/** `2026-03-01` at `09:30` on the wall clock of `timeZone`, as an ISO instant (Teams sends the viewer's local date and time). */
export function wallClockInstant(date: string, time: string, timeZone: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const clock = /^(\d{2}):(\d{2})/.exec(time);
  if (!match || !clock) return undefined;
  const asUtc = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(clock[1]), Number(clock[2]));
  // The zone's offset at that moment, found by reading the UTC guess on the zone's clock (twice, across a DST change).
  let instant = asUtc;
  for (let i = 0; i < 2; i += 1) instant = asUtc - offsetMs(instant, timeZone);
  return Number.isNaN(instant) ? undefined : new Date(instant).toISOString();
}

function offsetMs(at: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)) - Math.floor(at / 1000) * 1000;
}
