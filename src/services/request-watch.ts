import type { ItsmCatalog } from '../config/itsm-catalog';
import type { ServiceRequestDoc } from '../models/service-request.model';
import type { TimerWheel } from './timer-wheel';

/** The kinds of timer a request sets; jobs/ says what each does when it falls due. */
export const REQUEST_TIMERS = {
  /** `<number>:<step>:<round>`: round 1 reminds the step's undecided approvers, round 2 asks the item's escalation person. */
  approval: 'request.approval',
} as const;

/**
 * Sets a request's approval deadline when a step becomes the one to decide (its submission, or
 * the step before it approved), if its catalog item has one. The job re-reads the request, so a
 * step decided before its deadline makes the timer harmless.
 */
export class RequestWatch {
  constructor(
    private readonly wheel: TimerWheel,
    private readonly catalog: ItsmCatalog,
  ) {}

  async track(request: ServiceRequestDoc, before?: ServiceRequestDoc): Promise<void> {
    if (request.state !== 'awaiting_approval' || (before && before.currentStep === request.currentStep)) return;
    const deadline = this.catalog.config.catalog.find((c) => c.key === request.catalogItem)?.approvalDeadline;
    const startedAt = request.steps[request.currentStep]?.startedAt;
    if (!deadline || !startedAt) return;
    await this.wheel.schedule(REQUEST_TIMERS.approval, `${request._id}:${request.currentStep}:1`, new Date(new Date(startedAt).getTime() + deadline * 60_000));
  }
}
