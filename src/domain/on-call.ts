import { DateTime } from 'luxon';

export interface OnCallOverride {
  person: string;
  from: Date;
  to: Date;
}

export interface OnCallSchedule {
  timeZone: string;
  /** Local time of the hand-off, "09:00". */
  handoff: string;
  rotation: 'daily' | 'weekly';
  /** Local date (yyyy-MM-dd) of the first shift; its first participant starts at the hand-off. */
  startsOn: string;
  participants: readonly string[];
  overrides: readonly OnCallOverride[];
}

export interface OnCallShift {
  person: string;
  from: Date;
  to: Date;
  /** True when an override replaces the rotation for this stretch. */
  override: boolean;
}

function shiftStart(schedule: OnCallSchedule, index: number): DateTime {
  const [hour, minute] = schedule.handoff.split(':').map(Number);
  const first = DateTime.fromISO(schedule.startsOn, { zone: schedule.timeZone }).set({ hour, minute, second: 0, millisecond: 0 });
  // Calendar arithmetic in the schedule's zone keeps the hand-off at the same wall-clock time across DST.
  return schedule.rotation === 'daily' ? first.plus({ days: index }) : first.plus({ weeks: index });
}

/** The rotation's shift (ignoring overrides) that contains `at`. */
function rotationShift(schedule: OnCallSchedule, at: Date): OnCallShift {
  const periodMs = (schedule.rotation === 'daily' ? 1 : 7) * 86_400_000;
  let index = Math.floor((at.getTime() - shiftStart(schedule, 0).toMillis()) / periodMs);
  // The estimate can be one off around DST changes.
  while (shiftStart(schedule, index).toMillis() > at.getTime()) index -= 1;
  while (shiftStart(schedule, index + 1).toMillis() <= at.getTime()) index += 1;
  const n = schedule.participants.length;
  return {
    person: schedule.participants[((index % n) + n) % n] as string,
    from: shiftStart(schedule, index).toJSDate(),
    to: shiftStart(schedule, index + 1).toJSDate(),
    override: false,
  };
}

function overrideAt(schedule: OnCallSchedule, at: Date): OnCallOverride | undefined {
  return schedule.overrides.find((o) => o.from.getTime() <= at.getTime() && at.getTime() < o.to.getTime());
}

/** Who is on call at `at`: an override when one covers the instant, else the rotation. */
export function onCallAt(schedule: OnCallSchedule, at: Date): OnCallShift {
  const override = overrideAt(schedule, at);
  const shift = rotationShift(schedule, at);
  if (override) return { person: override.person, from: override.from, to: override.to, override: true };
  // An override starting later in this shift cuts it short.
  const cut = schedule.overrides
    .filter((o) => o.from.getTime() > at.getTime() && o.from.getTime() < shift.to.getTime())
    .reduce((earliest, o) => Math.min(earliest, o.from.getTime()), shift.to.getTime());
  return { ...shift, to: new Date(cut) };
}

/** The person on call now and the one after them (the next change of hands). */
export function onCallNowAndNext(schedule: OnCallSchedule, at: Date): { now: OnCallShift; next: OnCallShift } {
  const now = onCallAt(schedule, at);
  return { now, next: onCallAt(schedule, now.to) };
}
