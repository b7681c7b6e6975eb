import type { ItsmCatalog } from '../config/itsm-catalog';
import type { ServiceRequestDoc } from '../models/service-request.model';
import type { TimerWheel } from './timer-wheel';

/** The kinds of timer a request sets; jobs/ says what each does when it falls due. */
export const REQUEST_TIMERS = {
  /** `<number>:<step>:<round>`: round 1 reminds the step's undecided approvers, round 2 asks the item's escalation person. */
  approval: 'request.approval',
  /** `<number>:<percent>`: the fulfilment time's warning (75) and breach (100). */
  sla: 'request.sla',
} as const;

/** The share of its fulfilment time at which a request's fulfillers are warned, and its breach. */
export const REQUEST_SLA_MILESTONES = [75, 100] as const;

/**
 * Sets a request's timers: its fulfilment clock's warning and breach when it is submitted (if its
 * catalog item has a `resolve` time), and its approval deadline when a step becomes the one to
 * decide (if the item has one). The jobs re-read the request, so one decided or fulfilled in time
 * makes its timers harmless.
 */
export class RequestWatch {
  constructor(
    private readonly wheel: TimerWheel,
    private readonly catalog: ItsmCatalog,
  ) {}

  async track(request: ServiceRequestDoc, before?: ServiceRequestDoc): Promise<void> {
    if (!before && request.resolutionDueAt) await this.trackFulfilment(request);
    if (request.state !== 'awaiting_approval' || (before && before.currentStep === request.currentStep)) return;
    const deadline = this.catalog.config.catalog.find((c) => c.key === request.catalogItem)?.approvalDeadline;
    const startedAt = request.steps[request.currentStep]?.startedAt;
    if (!deadline || !startedAt) return;
    await this.wheel.schedule(REQUEST_TIMERS.approval, `${request._id}:${request.currentStep}:1`, new Date(new Date(startedAt).getTime() + deadline * 60_000));
  }

  /** The fulfilment clock's milestones, set once when the request is submitted. */
  private async trackFulfilment(request: ServiceRequestDoc): Promise<void> {
    const start = new Date(request.createdAt).getTime();
    const due = new Date(request.resolutionDueAt as Date).getTime();
    for (const percent of REQUEST_SLA_MILESTONES) {
      await this.wheel.schedule(REQUEST_TIMERS.sla, `${request._id}:${percent}`, new Date(start + ((due - start) * percent) / 100));
    }
  }
}
