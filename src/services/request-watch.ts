import type { ItsmCatalog, RequestSla } from '../config/itsm-catalog';
import { dueInstants } from '../domain/sla';
import { nextMilestone, slaMilestones, type SlaMilestone } from '../domain/sla-milestones';
import { OPEN_REQUEST_STATES } from '../domain/service-request-lifecycle';
import type { RequestSlaDoc, ServiceRequestDoc } from '../models/service-request.model';
import type { TimerWheel } from './timer-wheel';

/** The kinds of timer a request sets; jobs/ says what each does when it falls due. */
export const REQUEST_TIMERS = {
  /** `<number>:<step>:<round>`: round 1 reminds the step's undecided approvers, round 2 asks the item's escalation person. */
  approval: 'request.approval',
  /** `<number>`: the next milestone of its SLA clocks (the policy's warnings, then the breach). */
  sla: 'request.sla',
} as const;

/** The SLA clocks of a request submitted at `startedAt`, on its item's business calendar. */
export function requestSlaFor(sla: RequestSla, startedAt: Date): RequestSlaDoc {
  const { calendar, calendarKey, respondMinutes, resolveMinutes } = sla.target;
  return { startedAt, respondMinutes, resolveMinutes, calendarKey, ...dueInstants({ calendar, respondMinutes, resolveMinutes }, { startedAt, pauses: [] }) };
}

const OPEN = new Set<string>(OPEN_REQUEST_STATES);

/**
 * Every milestone of a request's running clocks: the response clock runs until someone it waits
 * on responds, the fulfilment (resolution) clock while it is open.
 */
export function requestMilestones(catalog: ItsmCatalog, request: ServiceRequestDoc): SlaMilestone[] {
  const calendar = catalog.calendars.get(request.sla?.calendarKey ?? '');
  if (!calendar || !OPEN.has(request.state)) return [];
  const warnAt = catalog.config.catalog.find((c) => c.key === request.catalogItem) ? catalog.requestSla(request.catalogItem).warnAt : [];
  return slaMilestones({
    calendar,
    startedAt: new Date(request.sla.startedAt),
    pauses: [],
    respondMinutes: request.sla.respondMinutes,
    resolveMinutes: request.sla.resolveMinutes,
    warnAt,
    running: { response: !request.respondedAt, resolution: true },
  });
}

/**
 * Sets a request's timers: its SLA clocks' next milestone when it is submitted (the job sets the
 * one after), and its approval deadline when a step becomes the one to decide (if the item has
 * one). The jobs re-read the request, so one decided or fulfilled in time makes its timers harmless.
 */
export class RequestWatch {
  constructor(
    private readonly wheel: TimerWheel,
    private readonly catalog: ItsmCatalog,
    private readonly now: () => Date,
  ) {}

  async track(request: ServiceRequestDoc, before?: ServiceRequestDoc): Promise<void> {
    if (!before) await this.scheduleNextMilestone(request);
    if (before && before.currentStep === request.currentStep) return;
    const deadline = this.approvalDeadline(request);
    if (deadline) await this.wheel.scheduleOnce(REQUEST_TIMERS.approval, `${request._id}:${request.currentStep}:1`, deadline);
  }

  /**
   * Whether an open request's timers are missing (setting them failed, or its process died between
   * creating or moving it and setting them): its next SLA milestone or its step's coming deadline has none.
   */
  async timersMissing(request: ServiceRequestDoc): Promise<boolean> {
    const next = nextMilestone(requestMilestones(this.catalog, request), this.now());
    if (next && !(await this.wheel.isScheduledOnce(REQUEST_TIMERS.sla, request._id, next.at))) return true;
    // A deadline passed is not looked for: its marks are swept a day after it, and its reminder
    // is what its timer did (set again, it would remind again).
    const deadline = this.approvalDeadline(request);
    if (!deadline || deadline.getTime() <= this.now().getTime()) return false;
    return !(await this.wheel.isScheduledOnce(REQUEST_TIMERS.approval, `${request._id}:${request.currentStep}:1`, deadline));
  }

  /** The current step's first deadline, when it waits for approval and its item has one. */
  private approvalDeadline(request: ServiceRequestDoc): Date | undefined {
    if (request.state !== 'awaiting_approval') return undefined;
    const deadline = this.catalog.config.catalog.find((c) => c.key === request.catalogItem)?.approvalDeadline;
    const startedAt = request.steps[request.currentStep]?.startedAt;
    return deadline && startedAt ? new Date(new Date(startedAt).getTime() + deadline * 60_000) : undefined;
  }

  /** The SLA timer for the request's next milestone, once per instant however often it is asked. */
  async scheduleNextMilestone(request: ServiceRequestDoc): Promise<void> {
    const next = nextMilestone(requestMilestones(this.catalog, request), this.now());
    if (next) await this.wheel.scheduleOnce(REQUEST_TIMERS.sla, request._id, next.at);
  }
}
