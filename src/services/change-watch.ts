import type { ChangeDoc } from '../models/change.model';
import type { TimerWheel } from './timer-wheel';

/** The kinds of timer a change sets; jobs/ says what each does when it falls due. */
export const CHANGE_TIMERS = {
  /** `<number>`: its implementer is reminded that its window opens soon. */
  window: 'change.window',
} as const;

/** How long before its window a scheduled change's implementer is reminded. */
export const REMIND_BEFORE_MS = 60 * 60_000;

/**
 * Sets a change's reminder when it becomes scheduled (submitted pre-approved, or approved): an hour
 * before its window, or at once when that is past. The job re-reads the change, so a change started
 * or cancelled before then makes the timer harmless.
 */
export class ChangeWatch {
  constructor(
    private readonly wheel: TimerWheel,
    private readonly now: () => Date,
  ) {}

  async track(change: ChangeDoc, before?: ChangeDoc): Promise<void> {
    if (change.state !== 'scheduled' || before?.state === 'scheduled') return;
    const at = Math.max(new Date(change.windowStart).getTime() - REMIND_BEFORE_MS, this.now().getTime());
    await this.wheel.schedule(CHANGE_TIMERS.window, change._id, new Date(at));
  }
}
