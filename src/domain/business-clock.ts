import { DateTime } from 'luxon';

/** Minutes after local midnight: [start, end), end up to 1440. */
export type WorkingWindow = readonly [number, number];

export interface BusinessCalendar {
  /** IANA zone, e.g. Asia/Seoul. */
  timeZone: string;
  /** ISO weekday (1 = Monday … 7 = Sunday) → working windows of that day, in local time. */
  week: Readonly<Record<number, readonly WorkingWindow[]>>;
  /** Local dates (yyyy-MM-dd) with no working time. */
  holidays: ReadonlySet<string>;
}

/** A stretch when the clock does not run (on hold). No end: still paused. */
export interface Pause {
  start: Date;
  end?: Date | null;
}

const MINUTE = 60_000;
/** How far a computation may walk before the calendar is judged to have no working time. */
const MAX_DAYS = 3 * 366;

export const ALWAYS_OPEN: BusinessCalendar = {
  timeZone: 'UTC',
  week: { 1: [[0, 1440]], 2: [[0, 1440]], 3: [[0, 1440]], 4: [[0, 1440]], 5: [[0, 1440]], 6: [[0, 1440]], 7: [[0, 1440]] },
  holidays: new Set(),
};

interface Segment {
  start: number;
  end: number;
}

function localInstant(day: DateTime, minuteOfDay: number): number {
  if (minuteOfDay >= 1440) return day.plus({ days: 1 }).startOf('day').toMillis();
  // Built from wall-clock fields, not by adding minutes to midnight, so a DST change earlier
  // that day does not shift the window.
  return day.set({ hour: Math.floor(minuteOfDay / 60), minute: minuteOfDay % 60, second: 0, millisecond: 0 }).toMillis();
}

function workingSegmentsOfDay(calendar: BusinessCalendar, day: DateTime): Segment[] {
  if (calendar.holidays.has(day.toISODate() ?? '')) return [];
  const windows = calendar.week[day.weekday] ?? [];
  return windows
    .map(([from, to]) => ({ start: localInstant(day, from), end: localInstant(day, to) }))
    .filter((s) => s.end > s.start);
}

function withoutPauses(segment: Segment, pauses: readonly Pause[]): Segment[] {
  let pieces: Segment[] = [segment];
  for (const pause of pauses) {
    const ps = pause.start.getTime();
    const pe = pause.end ? pause.end.getTime() : Number.POSITIVE_INFINITY;
    pieces = pieces.flatMap((p) => {
      if (pe <= p.start || ps >= p.end) return [p];
      const kept: Segment[] = [];
      if (ps > p.start) kept.push({ start: p.start, end: ps });
      if (pe < p.end) kept.push({ start: pe, end: p.end });
      return kept;
    });
  }
  return pieces;
}

/** Working segments from `from` onwards, day by day, in time order. */
function* segmentsFrom(
  calendar: BusinessCalendar,
  from: number,
  until: number,
  pauses: readonly Pause[],
): Generator<Segment> {
  let day = DateTime.fromMillis(from, { zone: calendar.timeZone }).startOf('day');
  if (!day.isValid) throw new RangeError(`unknown time zone: ${calendar.timeZone}`);
  for (let i = 0; i < MAX_DAYS && day.toMillis() < until; i++, day = day.plus({ days: 1 })) {
    for (const segment of workingSegmentsOfDay(calendar, day)) {
      if (segment.end <= from || segment.start >= until) continue;
      yield* withoutPauses({ start: Math.max(segment.start, from), end: Math.min(segment.end, until) }, pauses);
    }
  }
}

/**
 * The instant at which `minutes` business minutes have passed since `start`, skipping
 * non-working time, holidays and pauses. Null when an open pause stops the clock.
 */
export function addBusinessMinutes(
  calendar: BusinessCalendar,
  start: Date,
  minutes: number,
  pauses: readonly Pause[] = [],
): Date | null {
  if (minutes < 0) throw new RangeError('minutes must not be negative');
  let remaining = minutes * MINUTE;
  // An open pause stops the clock at its start: the target is either met before it, or unknown.
  const openPause = pauses.find((p) => !p.end);
  const until = openPause ? openPause.start.getTime() : Number.POSITIVE_INFINITY;
  for (const segment of segmentsFrom(calendar, start.getTime(), until, pauses)) {
    const length = segment.end - segment.start;
    if (remaining <= length) return new Date(segment.start + remaining);
    remaining -= length;
  }
  if (openPause) return null;
  throw new RangeError(`calendar in ${calendar.timeZone} has no working time within ${MAX_DAYS} days`);
}

/** Business minutes between two instants (0 when `end` is not after `start`). */
export function businessMinutesBetween(
  calendar: BusinessCalendar,
  start: Date,
  end: Date,
  pauses: readonly Pause[] = [],
): number {
  const until = end.getTime();
  if (until <= start.getTime()) return 0;
  let total = 0;
  for (const segment of segmentsFrom(calendar, start.getTime(), until, pauses)) {
    total += segment.end - segment.start;
  }
  return total / MINUTE;
}

/** Wall-clock minutes between two instants, less pauses. */
export function wallMinutesBetween(start: Date, end: Date, pauses: readonly Pause[] = []): number {
  return businessMinutesBetween({ ...ALWAYS_OPEN }, start, end, pauses);
}
