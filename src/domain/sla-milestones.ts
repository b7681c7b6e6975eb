import { addBusinessMinutes, type BusinessCalendar, type Pause } from './business-clock';

export type SlaClockKind = 'response' | 'resolution';

/** The instant a clock reaches a percentage of its target (100 = the breach). */
export interface SlaMilestone {
  clock: SlaClockKind;
  percent: number;
  at: Date;
}

export interface SlaWatchInput {
  calendar: BusinessCalendar;
  startedAt: Date;
  pauses: readonly Pause[];
  respondMinutes: number;
  resolveMinutes: number;
  /** Warning percentages, below 100; the breach at 100 is always watched. */
  warnAt: readonly number[];
  /** Which clocks still run (response until acknowledged, resolution until resolved). */
  running: Record<SlaClockKind, boolean>;
}

/**
 * Every milestone of the running clocks. The response clock ignores holds (a record is
 * acknowledged before it can be held, as in sla.ts); while a hold is open, resolution
 * milestones after its start have no instant yet and are left out.
 */
export function slaMilestones(input: SlaWatchInput): SlaMilestone[] {
  const percents = [...new Set([...input.warnAt, 100])].sort((a, b) => a - b);
  const milestones: SlaMilestone[] = [];
  const clocks: [SlaClockKind, number, readonly Pause[]][] = [
    ['response', input.respondMinutes, []],
    ['resolution', input.resolveMinutes, input.pauses],
  ];
  for (const [clock, minutes, pauses] of clocks) {
    if (!input.running[clock]) continue;
    for (const percent of percents) {
      const at = addBusinessMinutes(input.calendar, input.startedAt, (minutes * percent) / 100, pauses);
      if (at) milestones.push({ clock, percent, at });
    }
  }
  return milestones;
}

/**
 * What to announce at `now`: per clock, only the highest milestone reached. When a priority
 * rise jumps a record from 30 % to 95 %, people hear "90 %" once, not 50, 75 and 90 together.
 */
export function milestonesReached(milestones: readonly SlaMilestone[], now: Date): SlaMilestone[] {
  const highest = new Map<SlaClockKind, SlaMilestone>();
  for (const m of milestones) {
    if (m.at.getTime() > now.getTime()) continue;
    const best = highest.get(m.clock);
    if (!best || m.percent > best.percent) highest.set(m.clock, m);
  }
  return [...highest.values()];
}

/** The next milestone after `now`, when one is known. */
export function nextMilestone(milestones: readonly SlaMilestone[], now: Date): SlaMilestone | undefined {
  return milestones
    .filter((m) => m.at.getTime() > now.getTime())
    .reduce<SlaMilestone | undefined>((first, m) => (!first || m.at < first.at ? m : first), undefined);
}
