import fc from 'fast-check';
import {
  ALWAYS_OPEN,
  addBusinessMinutes,
  businessMinutesBetween,
  type BusinessCalendar,
  type Pause,
} from '../../../src/domain/business-clock';

const officeHours = (timeZone: string, holidays: string[] = []): BusinessCalendar => ({
  timeZone,
  week: { 1: [[540, 1080]], 2: [[540, 1080]], 3: [[540, 1080]], 4: [[540, 1080]], 5: [[540, 1080]] },
  holidays: new Set(holidays),
});
const seoul = officeHours('Asia/Seoul', ['2026-12-25']);
const newYork = officeHours('America/New_York');
const at = (iso: string) => new Date(iso);

describe('business clock', () => {
  it('adds within one working day', () => {
    expect(addBusinessMinutes(seoul, at('2026-11-24T10:00:00+09:00'), 120)).toEqual(at('2026-11-24T12:00:00+09:00'));
  });

  it('starts counting at opening time when reported at night', () => {
    expect(addBusinessMinutes(seoul, at('2026-11-23T22:30:00+09:00'), 30)).toEqual(at('2026-11-24T09:30:00+09:00'));
  });

  it('skips the weekend', () => {
    // Friday 17:00 + 2 h = Monday 10:00
    expect(addBusinessMinutes(seoul, at('2026-11-27T17:00:00+09:00'), 120)).toEqual(at('2026-11-30T10:00:00+09:00'));
  });

  it('skips a holiday (Christmas, a Friday) and then the weekend', () => {
    expect(addBusinessMinutes(seoul, at('2026-12-24T17:30:00+09:00'), 60)).toEqual(at('2026-12-28T09:30:00+09:00'));
    expect(businessMinutesBetween(seoul, at('2026-12-24T17:30:00+09:00'), at('2026-12-28T09:30:00+09:00'))).toBe(60);
  });

  it('keeps Asia/Seoul working hours at 09:00-18:00 local all year (no DST)', () => {
    expect(addBusinessMinutes(seoul, at('2026-03-06T17:00:00+09:00'), 120)).toEqual(at('2026-03-09T10:00:00+09:00'));
    expect(addBusinessMinutes(seoul, at('2026-07-03T17:00:00+09:00'), 120)).toEqual(at('2026-07-06T10:00:00+09:00'));
  });

  it('follows America/New_York across the spring DST change (EST → EDT)', () => {
    // Friday 6 March 2026 17:00 EST + 2 h = Monday 9 March 10:00 EDT (UTC-4): 14:00Z, not 15:00Z.
    expect(addBusinessMinutes(newYork, at('2026-03-06T17:00:00-05:00'), 120)).toEqual(at('2026-03-09T14:00:00Z'));
    // The Sunday of the change holds no working time, and Monday's day is 9 h long as ever.
    expect(businessMinutesBetween(newYork, at('2026-03-08T00:00:00-05:00'), at('2026-03-10T00:00:00-04:00'))).toBe(540);
  });

  it('follows America/New_York across the autumn DST change (EDT → EST)', () => {
    expect(addBusinessMinutes(newYork, at('2026-10-30T17:00:00-04:00'), 120)).toEqual(at('2026-11-02T15:00:00Z'));
  });

  it('on a 24x7 calendar counts wall-clock time', () => {
    expect(addBusinessMinutes(ALWAYS_OPEN, at('2026-11-28T23:00:00Z'), 120)).toEqual(at('2026-11-29T01:00:00Z'));
  });

  it('does not count a paused interval spanning a weekend', () => {
    const pauses: Pause[] = [{ start: at('2026-11-27T16:00:00+09:00'), end: at('2026-11-30T11:00:00+09:00') }];
    // Friday 15:00 + 3 h: 1 h on Friday before the pause, then Monday from 11:00: 13:00.
    expect(addBusinessMinutes(seoul, at('2026-11-27T15:00:00+09:00'), 180, pauses)).toEqual(at('2026-11-30T13:00:00+09:00'));
    expect(businessMinutesBetween(seoul, at('2026-11-27T15:00:00+09:00'), at('2026-11-30T13:00:00+09:00'), pauses)).toBe(180);
  });

  it('has no due instant while an open pause stops the clock, unless the target is met before it', () => {
    const open: Pause[] = [{ start: at('2026-11-24T10:00:00+09:00') }];
    expect(addBusinessMinutes(seoul, at('2026-11-24T09:00:00+09:00'), 120, open)).toBeNull();
    expect(addBusinessMinutes(seoul, at('2026-11-24T09:00:00+09:00'), 30, open)).toEqual(at('2026-11-24T09:30:00+09:00'));
  });

  it('refuses a calendar with no working time instead of looping', () => {
    const never: BusinessCalendar = { timeZone: 'UTC', week: {}, holidays: new Set() };
    expect(() => addBusinessMinutes(never, at('2026-11-24T00:00:00Z'), 1)).toThrow(/no working time/);
  });

  describe('properties', () => {
    const zones = fc.constantFrom('Asia/Seoul', 'America/New_York', 'Europe/London', 'Australia/Sydney', 'UTC');
    const instants = fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true });
    const minutes = fc.integer({ min: 0, max: 5 * 540 });
    const pauseArb = fc
      .tuple(fc.integer({ min: 0, max: 7 * 1440 }), fc.integer({ min: 1, max: 3 * 1440 }))
      .map(([offset, length]) => ({ offset, length }));

    it('adding N business minutes then measuring gives N back', () => {
      fc.assert(
        fc.property(zones, instants, minutes, fc.array(pauseArb, { maxLength: 2 }), (zone, start, n, rawPauses) => {
          const calendar = officeHours(zone, ['2026-12-25', '2027-01-01']);
          const pauses = rawPauses.map((p) => ({
            start: new Date(start.getTime() + p.offset * 60_000),
            end: new Date(start.getTime() + (p.offset + p.length) * 60_000),
          }));
          const due = addBusinessMinutes(calendar, start, n, pauses);
          expect(due).not.toBeNull();
          expect(businessMinutesBetween(calendar, start, due as Date, pauses)).toBeCloseTo(n, 6);
        }),
        { numRuns: 300 },
      );
    });

    it('never counts time inside a pause', () => {
      fc.assert(
        fc.property(zones, instants, pauseArb, (zone, start, p) => {
          const calendar = officeHours(zone);
          const pauseStart = new Date(start.getTime() + p.offset * 60_000);
          const pauseEnd = new Date(pauseStart.getTime() + p.length * 60_000);
          expect(businessMinutesBetween(calendar, pauseStart, pauseEnd, [{ start: pauseStart, end: pauseEnd }])).toBe(0);
        }),
        { numRuns: 200 },
      );
    });

    it('is additive: [a, c] = [a, b] + [b, c]', () => {
      fc.assert(
        fc.property(zones, instants, fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 20_000 }), (zone, a, x, y) => {
          const calendar = officeHours(zone);
          const b = new Date(a.getTime() + x * 60_000);
          const c = new Date(b.getTime() + y * 60_000);
          expect(businessMinutesBetween(calendar, a, c)).toBeCloseTo(
            businessMinutesBetween(calendar, a, b) + businessMinutesBetween(calendar, b, c),
            6,
          );
        }),
        { numRuns: 200 },
      );
    });
  });
});
