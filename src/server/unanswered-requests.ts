import type { Response } from 'express';

/** When a surface turns new requests away at once rather than answering them too late. */
export interface OverloadLimits {
  /** Requests received and not yet answered, beyond which new ones are turned away. */
  maxInProgress: number;
  /**
   * How long the oldest request still unanswered may have waited before new ones are turned away
   * (answers slipping towards the platform's deadline), until it is answered.
   */
  maxWaitingMs?: number;
  /** Work after the acknowledgement still running (app.work), beyond which new requests are turned away. */
  maxWorkInFlight: number;
}

export const DEFAULT_OVERLOAD_LIMITS: OverloadLimits = { maxInProgress: 200, maxWorkInFlight: 2_000, maxWaitingMs: 1_500 };

/** The requests a surface has received and not yet answered, oldest first (answers come roughly in order). */
export class UnansweredRequests {
  private readonly unanswered = new Set<{ at: number }>();

  constructor(
    private readonly limits: OverloadLimits,
    private readonly workInFlight: () => number,
  ) {}

  get size(): number {
    return this.unanswered.size;
  }

  oldestWaitMs(): number {
    const first = this.unanswered.values().next();
    return first.done ? 0 : Date.now() - first.value.at;
  }

  /** Whether a new request should be turned away now. */
  overloaded(): boolean {
    return this.unanswered.size >= this.limits.maxInProgress || this.workInFlight() >= this.limits.maxWorkInFlight || this.oldestWaitMs() > (this.limits.maxWaitingMs ?? Infinity);
  }

  /** Counts the request until its response is sent (or its connection closes). */
  track(res: Response): void {
    const request = { at: Date.now() };
    this.unanswered.add(request);
    const done = () => this.unanswered.delete(request);
    res.once('finish', done);
    res.once('close', done);
  }

  /** What the log says of the load when a request is turned away. */
  describe(): Record<string, number> {
    return { inProgress: this.unanswered.size, oldestWaitMs: this.oldestWaitMs(), workInFlight: this.workInFlight() };
  }
}
