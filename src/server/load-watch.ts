import type { Logger } from '../logger';

const SAMPLE_EVERY_MS = 1_000;
const TELL_EVERY_MS = 60_000;

/** A reading taken every second: how much waits or runs in one place of the process. */
export type Gauges = Record<string, () => number>;

export interface GaugeSummary {
  mean: number;
  max: number;
}

/**
 * Samples the gauges every second and logs, once a minute, each one's mean and highest reading:
 * where work stood in line (requests, timers fired on time, deliveries, operations waiting for a
 * database connection) when something came late. One line a minute, so it stays on in production.
 * Returns the stop.
 */
export function watchLoad(log: Logger, gauges: Gauges, options: { sampleEveryMs?: number; tellEveryMs?: number } = {}): () => void {
  const { sampleEveryMs = SAMPLE_EVERY_MS, tellEveryMs = TELL_EVERY_MS } = options;
  const samplesPerLine = Math.max(1, Math.round(tellEveryMs / sampleEveryMs));
  const sums = new Map<string, { total: number; max: number }>();
  let samples = 0;
  const timer = setInterval(() => {
    samples += 1;
    for (const [name, read] of Object.entries(gauges)) {
      const value = read();
      const sum = sums.get(name) ?? { total: 0, max: 0 };
      sum.total += value;
      sum.max = Math.max(sum.max, value);
      sums.set(name, sum);
    }
    if (samples < samplesPerLine) return;
    const load: Record<string, GaugeSummary> = {};
    for (const [name, sum] of sums) load[name] = { mean: Math.round((10 * sum.total) / samples) / 10, max: sum.max };
    log.info({ load, samples }, LOAD_LINE);
    sums.clear();
    samples = 0;
  }, sampleEveryMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** The message of the minute's line (read by the soak benchmark). */
export const LOAD_LINE = 'load over the last minute';
