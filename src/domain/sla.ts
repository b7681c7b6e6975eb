import { addBusinessMinutes, businessMinutesBetween, type BusinessCalendar, type Pause } from './business-clock';
import type { Priority } from './priority';

export interface SlaTarget {
  respondMinutes: number;
  resolveMinutes: number;
  calendar: BusinessCalendar;
  /** The calendar's name in the configuration, stored with the record. */
  calendarKey: string;
}

export type SlaTargets = Record<Priority, SlaTarget>;

export interface SlaClock {
  startedAt: Date;
  pauses: readonly Pause[];
}

export interface SlaDue {
  responseDueAt: Date | null;
  resolutionDueAt: Date | null;
}

/** Due instants for a record whose clock started at `startedAt`; null while a pause is open. */
export function dueInstants(target: Omit<SlaTarget, 'calendarKey'>, clock: SlaClock): SlaDue {
  return {
    // Response is not paused by holds: a record is acknowledged before it can be put on hold.
    responseDueAt: addBusinessMinutes(target.calendar, clock.startedAt, target.respondMinutes),
    resolutionDueAt: addBusinessMinutes(target.calendar, clock.startedAt, target.resolveMinutes, clock.pauses),
  };
}

/** How much of the target has been used at `at`, in percent (may exceed 100). */
export function percentElapsed(
  calendar: BusinessCalendar,
  targetMinutes: number,
  clock: SlaClock,
  at: Date,
): number {
  if (targetMinutes <= 0) return 100;
  return (businessMinutesBetween(calendar, clock.startedAt, at, clock.pauses) / targetMinutes) * 100;
}
