import type { Logger } from './logger';

/**
 * How long a stop may take, whatever it waits for: the grace for acknowledged work, the grace
 * again for the scheduled work, and 30 s for the rest (handing the intake over, closing the
 * database, ending the embedded one). With the database gone away each write of the stop waits
 * out the driver's server selection (10 s), one after another.
 */
export function stopDeadlineMs(graceMs: number): number {
  return 2 * graceMs + 30_000;
}

/**
 * A stop's steps, run one after another: one that fails (the database gone away) is logged and the
 * rest still run, and past the deadline (a process's stop has one; its work thread's is bounded by
 * the process) the process says what it was waiting for and exits 1. Nothing acknowledged is lost
 * by either: what is unfinished stays in the intake and under its timers, for another process or
 * the restart. Before, the first write to a database gone away ended the process with an unhandled
 * rejection and a stack trace, its other steps not run.
 */
export class StopSteps {
  private waitingFor = 'the stop to begin';
  private failures = 0;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly onFailed: ((waitingFor: string) => void) | undefined;

  constructor(
    private readonly log: Logger,
    options: {
      /** The deadline's grace (a process's stop has one; its work thread's is bounded by the process). */
      graceMs?: number;
      exit?: (code: number) => void;
      /** Told of each step that fails, as it fails (a work thread tells its process). */
      onFailed?: (waitingFor: string) => void;
    } = {},
  ) {
    this.onFailed = options.onFailed;
    if (options.graceMs === undefined) return;
    const afterMs = stopDeadlineMs(options.graceMs);
    const exit = options.exit ?? ((code: number) => process.exit(code));
    this.timer = setTimeout(() => {
      log.error({ waitingFor: this.waitingFor, afterMs }, 'could not stop in time: exiting, what is unfinished is taken over or replayed');
      exit(1);
    }, afterMs);
  }

  /** Runs a step (`waitingFor` says what it waits for); undefined when it failed. */
  async step<T>(waitingFor: string, run: () => Promise<T>): Promise<T | undefined> {
    this.waitingFor = waitingFor;
    try {
      return await run();
    } catch (error) {
      this.failures += 1;
      this.log.error({ err: error, waitingFor }, 'a step of the stop failed; the others still run');
      this.onFailed?.(waitingFor);
      return undefined;
    }
  }

  /** Ends the deadline (held until then: a stop waiting on nothing else must not end as if done); the exit code, 1 when a step failed. */
  done(): number {
    clearTimeout(this.timer);
    return this.failures > 0 ? 1 : 0;
  }
}
