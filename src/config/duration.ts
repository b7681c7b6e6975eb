const UNIT_MINUTES: Record<string, number> = { m: 1, h: 60, d: 1440, w: 10080 };
const DURATION = /^(\d+(?:\.\d+)?)\s*([mhdw])$/;

/** "15m", "4h", "1d", "1h 30m" → minutes; null when the text is not a duration. */
export function parseDurationMinutes(text: string): number | null {
  const parts = text.trim().split(/\s+/);
  let total = 0;
  for (const part of parts) {
    const match = DURATION.exec(part);
    if (!match) return null;
    total += Number(match[1]) * (UNIT_MINUTES[match[2] as string] as number);
  }
  return parts.length > 0 ? Math.round(total) : null;
}
