/**
 * A timer begun this long after its due time is late (the settled pass alone begins one up to 13 s
 * after it), and a delivery made this long after it was stored.
 */
export const LATE_AFTER_MS = 30_000;
/** How often what began late is told, at most. */
export const TELL_LATE_EVERY_MS = 60_000;

export interface Lateness {
  count: number;
  mostLateMs: number;
}

/**
 * Work done late, by kind, gathered to be told once a minute: an escalation or an SLA warning begun
 * minutes after its due time (a database behind, a burst of timers), or a page delivered minutes
 * after it was sent, is otherwise a promise broken without a word, and a line for each would flood
 * the log just when it is behind.
 */
export class LateWork {
  private byKind = new Map<string, Lateness>();
  private toldAt = Number.NEGATIVE_INFINITY;

  record(kind: string, lateMs: number): void {
    if (lateMs < LATE_AFTER_MS) return;
    const seen = this.byKind.get(kind) ?? { count: 0, mostLateMs: 0 };
    seen.count += 1;
    seen.mostLateMs = Math.max(seen.mostLateMs, Math.round(lateMs));
    this.byKind.set(kind, seen);
  }

  /** What began late since it was last told, once a minute has passed since then; forgotten once taken. */
  due(nowMs: number): Record<string, Lateness> | undefined {
    if (this.byKind.size === 0 || nowMs - this.toldAt < TELL_LATE_EVERY_MS) return undefined;
    this.toldAt = nowMs;
    const told = Object.fromEntries(this.byKind);
    this.byKind = new Map();
    return told;
  }
}
