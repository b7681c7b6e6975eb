/** What an interactive element carries back: the record, the card's version and, for menus and some buttons, a value. */
export interface ActionValue {
  recordId: string;
  value?: string;
  cardVersion?: number;
}

export const encodeActionValue = (value: ActionValue): string =>
  JSON.stringify({
    r: value.recordId,
    ...(value.value !== undefined ? { v: value.value } : {}),
    ...(value.cardVersion !== undefined ? { n: value.cardVersion } : {}),
  });

/** Null when the value is not ours (a hand-made or foreign payload). */
export function decodeActionValue(raw: string | undefined): ActionValue | null {
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as { r?: unknown; v?: unknown; n?: unknown };
    if (typeof parsed.r !== 'string') return null;
    return {
      recordId: parsed.r,
      ...(typeof parsed.v === 'string' ? { value: parsed.v } : {}),
      ...(Number.isSafeInteger(parsed.n) && (parsed.n as number) >= 0 ? { cardVersion: parsed.n as number } : {}),
    };
  } catch {
    return null;
  }
}

/**
 * Block Kit wants action ids unique within a block: a card offering one action several times (the
 * stars of a rating) numbers the repeats `<action id>#<n>`. The handler id is the part before `#`.
 */
export const repeatedActionId = (actionId: string, repeat: number) => (repeat === 0 ? actionId : `${actionId}#${repeat}`);
export const handlerIdOfAction = (actionId: string) => actionId.split('#')[0] as string;
