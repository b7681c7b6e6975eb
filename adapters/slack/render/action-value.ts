/** What an interactive element carries back: the record and, for menus, the chosen value. */
export interface ActionValue {
  recordId: string;
  value?: string;
}

export const encodeActionValue = (value: ActionValue): string => JSON.stringify({ r: value.recordId, ...(value.value ? { v: value.value } : {}) });

/** Null when the value is not ours (a hand-made or foreign payload). */
export function decodeActionValue(raw: string | undefined): ActionValue | null {
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as { r?: unknown; v?: unknown };
    if (typeof parsed.r !== 'string') return null;
    return { recordId: parsed.r, ...(typeof parsed.v === 'string' ? { value: parsed.v } : {}) };
  } catch {
    return null;
  }
}
