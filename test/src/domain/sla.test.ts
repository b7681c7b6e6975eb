import { ALWAYS_OPEN, type BusinessCalendar } from '../../../src/domain/business-clock';
import { dueInstants, percentElapsed } from '../../../src/domain/sla';

const seoul: BusinessCalendar = {
  timeZone: 'Asia/Seoul',
  week: { 1: [[540, 1080]], 2: [[540, 1080]], 3: [[540, 1080]], 4: [[540, 1080]], 5: [[540, 1080]] },
  holidays: new Set(),
};

describe('SLA targets', () => {
  it('computes response and resolution due instants in business time', () => {
    const due = dueInstants({ respondMinutes: 30, resolveMinutes: 480, calendar: seoul }, { startedAt: new Date('2026-11-27T16:00:00+09:00'), pauses: [] });
    expect(due.responseDueAt).toEqual(new Date('2026-11-27T16:30:00+09:00'));
    // 2 h on Friday, 6 h on Monday.
    expect(due.resolutionDueAt).toEqual(new Date('2026-11-30T15:00:00+09:00'));
  });

  it('moves the resolution due instant by the length of a closed pause, and drops it during an open one', () => {
    const startedAt = new Date('2026-11-24T00:00:00Z');
    const closed = dueInstants({ respondMinutes: 15, resolveMinutes: 120, calendar: ALWAYS_OPEN }, {
      startedAt,
      pauses: [{ start: new Date('2026-11-24T01:00:00Z'), end: new Date('2026-11-24T01:45:00Z') }],
    });
    expect(closed.resolutionDueAt).toEqual(new Date('2026-11-24T02:45:00Z'));
    const open = dueInstants({ respondMinutes: 15, resolveMinutes: 120, calendar: ALWAYS_OPEN }, {
      startedAt,
      pauses: [{ start: new Date('2026-11-24T01:00:00Z') }],
    });
    expect(open.resolutionDueAt).toBeNull();
    expect(open.responseDueAt).toEqual(new Date('2026-11-24T00:15:00Z'));
  });

  it('reports the percentage of the target used, beyond 100 once breached', () => {
    const clock = { startedAt: new Date('2026-11-24T00:00:00Z'), pauses: [] };
    expect(percentElapsed(ALWAYS_OPEN, 120, clock, new Date('2026-11-24T01:30:00Z'))).toBe(75);
    expect(percentElapsed(ALWAYS_OPEN, 120, clock, new Date('2026-11-24T03:00:00Z'))).toBe(150);
  });
});
