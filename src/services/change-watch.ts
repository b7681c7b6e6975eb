import type { ChangeDoc } from '../models/change.model';
import type { TimerWheel } from './timer-wheel';

/** The kinds of timer a change sets; jobs/ says what each does when it falls due. */
export const CHANGE_TIMERS = {
  /** `<number>`: its implementer is reminded that its window opens soon. */
  window: 'change.window',
  /** `<number>:<step>:<round>`: round 1 reminds the step's approvers who have not voted (its rule's `deadline`), round 2 asks the rule's escalation person. */
  approval: 'change.approval',
} as const;

/** How long before its window a scheduled change's implementer is reminded. */
export const REMIND_BEFORE_MS = 60 * 60_000;

/**
 * Sets a change's reminders: its approvers', at its rule's deadline, when a step becomes the one to
 * decide; its implementer's, when it becomes scheduled (submitted pre-approved, or approved), an
 * hour before its window, or at once when that is past. The jobs re-read the change, so one decided,
 * started or cancelled in time makes its timer harmless.
 */
export class ChangeWatch {
  constructor(
    private readonly wheel: TimerWheel,
    private readonly now: () => Date,
    /** The approval deadline of a change's rule, in minutes, if it has one. */
    private readonly deadlineOf: (change: ChangeDoc) => number | undefined = () => undefined,
  ) {}

  async track(change: ChangeDoc, before?: ChangeDoc): Promise<void> {
    await this.trackApproval(change, before);
    if (change.state !== 'scheduled' || before?.state === 'scheduled') return;
    const at = Math.max(new Date(change.windowStart).getTime() - REMIND_BEFORE_MS, this.now().getTime());
    await this.wheel.schedule(CHANGE_TIMERS.window, change._id, new Date(at));
  }

  /** When a step becomes the one to decide and the change's rule has a deadline. */
  private async trackApproval(change: ChangeDoc, before?: ChangeDoc): Promise<void> {
    if (change.state !== 'assessment' || (before && before.currentStep === change.currentStep)) return;
    const deadline = this.deadlineOf(change);
    const startedAt = change.steps[change.currentStep]?.startedAt;
    if (!deadline || !startedAt) return;
    await this.wheel.schedule(CHANGE_TIMERS.approval, `${change._id}:${change.currentStep}:1`, new Date(new Date(startedAt).getTime() + deadline * 60_000));
  }
}
