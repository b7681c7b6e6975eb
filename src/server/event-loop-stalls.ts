import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from '../logger';

/** A delay of the event loop beyond this is logged: every request and timer of the process waited that long. */
const STALL_MS = 1_000;
const CHECK_EVERY_MS = 10_000;

/**
 * Watches the event loop's delay and logs each 10 s in which it stalled for a second or more (a
 * long synchronous step, a long garbage collection): what a slow acknowledgement or a job's lost
 * lock then had in common. Returns the stop.
 */
export function watchEventLoopStalls(log: Logger, options: { stallMs?: number; checkEveryMs?: number } = {}): () => void {
  const { stallMs = STALL_MS, checkEveryMs = CHECK_EVERY_MS } = options;
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  const timer = setInterval(() => {
    const maxMs = delay.max / 1e6;
    if (maxMs >= stallMs) log.warn({ maxMs: Math.round(maxMs), p99Ms: Math.round(delay.percentile(99) / 1e6) }, 'the event loop stalled');
    delay.reset();
  }, checkEveryMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    delay.disable();
  };
}
