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

/** One local day of a calendar: where it starts, its working segments, where the next one starts. */
interface CalendarDay {
  start: number;
  segments: Segment[];
  next: number;
}

/**
 * Zone arithmetic (offsets, DST) is by far the costliest part of the clock, and the same few
 * days are asked about again and again: each calendar keeps the days it has worked out, and
 * which day each quarter hour falls in (offsets only ever change on a quarter hour).
 */
interface CalendarCache {
  days: Map<number, CalendarDay>;
  dayOfQuarter: Map<number, number>;
}

const QUARTER_HOUR = 15 * MINUTE;
const CACHE_LIMIT = 20_000;
const caches = new WeakMap<BusinessCalendar, CalendarCache>();

function cacheOf(calendar: BusinessCalendar): CalendarCache {
  let cache = caches.get(calendar);
  if (!cache || cache.days.size + cache.dayOfQuarter.size > CACHE_LIMIT) {
    cache = { days: new Map(), dayOfQuarter: new Map() };
    caches.set(calendar, cache);
  }
  return cache;
}

function calendarDay(calendar: BusinessCalendar, cache: CalendarCache, start: number): CalendarDay {
  let day = cache.days.get(start);
  if (!day) {
    const local = DateTime.fromMillis(start, { zone: calendar.timeZone });
    day = { start, segments: workingSegmentsOfDay(calendar, local), next: local.plus({ days: 1 }).startOf('day').toMillis() };
    cache.days.set(start, day);
  }
  return day;
}

function dayContaining(calendar: BusinessCalendar, cache: CalendarCache, instant: number): CalendarDay {
  const quarter = Math.floor(instant / QUARTER_HOUR);
  let start = cache.dayOfQuarter.get(quarter);
  if (start === undefined) {
    const local = DateTime.fromMillis(instant, { zone: calendar.timeZone });
    if (!local.isValid) throw new RangeError(`unknown time zone: ${calendar.timeZone}`);
    start = local.startOf('day').toMillis();
    cache.dayOfQuarter.set(quarter, start);
  }
  return calendarDay(calendar, cache, start);
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
  const cache = cacheOf(calendar);
  let day = dayContaining(calendar, cache, from);
  for (let i = 0; i < MAX_DAYS && day.start < until; i++, day = calendarDay(calendar, cache, day.next)) {
    for (const segment of day.segments) {
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
  return businessMinutesBetween(ALWAYS_OPEN, start, end, pauses);
}
