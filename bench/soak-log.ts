import { LOAD_LINE, type GaugeSummary } from '../src/server/load-watch';
import { DEFAULT_OVERLOAD_LIMITS } from '../src/server/unanswered-requests';
import { DELIVERIES_MADE_LATE } from '../src/services/notifier';

export interface LateSeen {
  count: number;
  mostLateMs: number;
}

/**
 * What the soak reads in the process's output as it goes: its log lines (requests turned away,
 * timers begun late, the load line, slowness, warnings and errors) and Node's --trace-gc lines
 * (each thread's heap). Counted per minute of traffic once `trafficStarted` is set.
 */
export class SoakLog {
  trafficStarted = 0;
  errors = 0;
  turnedAway = 0;
  readonly turnedAwayBecause = new Map<string, number>();
  /** Timers begun 30 s or more after their due time, by kind, as the process told them. */
  readonly lateTimers = new Map<string, LateSeen>();
  readonly errorsByMinute: number[] = [];
  /** The same per minute of traffic, as each minute's line was logged: a burst falling due apart from a backlog that grows. */
  readonly lateByMinute: Map<string, LateSeen>[] = [];
  /** Deliveries made 30 s or more after they were stored, by audience, as the process told them. */
  readonly lateDeliveries = new Map<string, LateSeen>();
  readonly lateDeliveriesByMinute: Map<string, LateSeen>[] = [];
  /** The process's load line of each minute of traffic: where work stood in line. */
  readonly loadByMinute: Record<string, GaugeSummary>[] = [];
  readonly liveAfterFullGc: { atMs: number; mb: number }[] = [];
  /** Per thread (its isolate's address): its heap's live set after the last full collection, and what it has taken. */
  readonly heaps = new Map<string, { live: number; committed: number }>();
  /** Slow ticks and event-loop stalls, as the process logged them. */
  readonly slowness: string[] = [];
  readonly errorKinds = new Map<string, number>();
  readonly warningKinds = new Map<string, number>();
  /** The last lines that were not Node's, to say why the process did not start. */
  readonly lastLines: string[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** The minute of traffic now (0 the first), or undefined before the traffic. */
  private get minute(): number | undefined {
    return this.trafficStarted ? Math.floor((this.now() - this.trafficStarted) / 60_000) : undefined;
  }

  /** Reads one line of output; the address of the process's Slack events when it says it listens. */
  read(line: string): string | undefined {
    // Node's --trace-gc: what a full collection leaves is the heap's live set.
    const fullGc = /Mark-Compact(?: \(reduce\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \(/.exec(line);
    if (fullGc && this.trafficStarted) this.liveAfterFullGc.push({ atMs: this.now() - this.trafficStarted, mb: Number(fullGc[1]) });
    // Each thread's heap apart (its isolate's address): what it holds and what it has taken from the system.
    const gc = /^\[\d+:(0x[0-9a-f]+)\]\s+\d+ ms: (Scavenge|Mark-Compact)(?: \(reduce\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \(([\d.]+)\) MB/.exec(line);
    if (gc) {
      const heap = this.heaps.get(gc[1] as string) ?? { live: 0, committed: 0 };
      if (gc[2] === 'Mark-Compact') heap.live = Number(gc[3]);
      heap.committed = Number(gc[4]);
      this.heaps.set(gc[1] as string, heap);
      return undefined;
    }
    if (fullGc) return undefined;
    this.lastLines.push(line);
    if (this.lastLines.length > 5) this.lastLines.shift();
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; url?: string; err?: { message?: string } };
      this.readEntry(entry);
      return entry.url && String(entry.msg).startsWith('opsdesk listening') ? `${entry.url}/slack/events` : undefined;
    } catch {
      return undefined; // not a log line, or not one of opsdesk's
    }
  }

  private readEntry(entry: { level?: number; msg?: string; err?: { message?: string } }): void {
    const minute = this.minute;
    if (entry.msg === 'Slack request turned away: opsdesk is busy') {
      this.turnedAway++;
      const load = entry as { inProgress?: number; oldestWaitMs?: number; workInFlight?: number };
      // Which of the gate's limits (the process runs with the defaults) turned it away.
      const limits = DEFAULT_OVERLOAD_LIMITS;
      const why = (load.workInFlight ?? 0) >= limits.maxWorkInFlight ? 'work in flight' : (load.inProgress ?? 0) >= limits.maxInProgress ? 'requests unanswered' : 'oldest unanswered wait';
      this.turnedAwayBecause.set(why, (this.turnedAwayBecause.get(why) ?? 0) + 1);
    }
    if (entry.msg === LOAD_LINE && minute !== undefined) this.loadByMinute[minute] = (entry as { load?: Record<string, GaugeSummary> }).load ?? {};
    if (entry.msg === 'timers began late: the database or this process is behind') {
      for (const [kind, seen] of Object.entries((entry as { late?: Record<string, LateSeen> }).late ?? {})) {
        addLate(this.lateTimers, kind, seen);
        if (minute !== undefined) addLate((this.lateByMinute[minute] ??= new Map()), kind, seen);
      }
    }
    if (entry.msg === DELIVERIES_MADE_LATE) {
      for (const [audience, seen] of Object.entries((entry as { late?: Record<string, LateSeen> }).late ?? {})) {
        addLate(this.lateDeliveries, audience, seen);
        if (minute !== undefined) addLate((this.lateDeliveriesByMinute[minute] ??= new Map()), audience, seen);
      }
    }
    if (minute !== undefined && (entry.msg === 'a slow timer wheel tick' || entry.msg === 'the event loop stalled')) {
      const { level: _l, time: _t, service: _s, msg, ...fields } = entry as Record<string, unknown>;
      this.slowness.push(`minute ${minute + 1}: ${String(msg)} ${JSON.stringify(fields)}`);
    }
    if (entry.level === 40) {
      const what = `${entry.msg ?? ''}: ${(entry as { error?: string }).error ?? entry.err?.message ?? ''}`.replace(/\(slack:[^)]*\)/, '(…)').slice(0, 120);
      this.warningKinds.set(what, (this.warningKinds.get(what) ?? 0) + 1);
    }
    if ((entry.level ?? 0) >= 50) {
      this.errors++;
      if (minute !== undefined) this.errorsByMinute[minute] = (this.errorsByMinute[minute] ?? 0) + 1;
      const what = `${entry.msg ?? ''}: ${entry.err?.message ?? ''}`.slice(0, 200);
      this.errorKinds.set(what, (this.errorKinds.get(what) ?? 0) + 1);
    }
  }
}

function addLate(into: Map<string, LateSeen>, kind: string, seen: LateSeen): void {
  const sum = into.get(kind) ?? { count: 0, mostLateMs: 0 };
  sum.count += seen.count;
  sum.mostLateMs = Math.max(sum.mostLateMs, seen.mostLateMs);
  into.set(kind, sum);
}
