import type { BusinessCalendar } from '../../../src/domain/business-clock';
import { milestonesReached, nextMilestone, slaMilestones, type SlaWatchInput } from '../../../src/domain/sla-milestones';

const seoul: BusinessCalendar = {
  timeZone: 'Asia/Seoul',
  week: { 1: [[540, 1080]], 2: [[540, 1080]], 3: [[540, 1080]], 4: [[540, 1080]], 5: [[540, 1080]] },
  holidays: new Set(['2026-12-25']),
};

// Thursday 24 Dec 2026, 16:00 Seoul: 2 working hours left that day, then a holiday and a weekend.
const base: SlaWatchInput = {
  calendar: seoul,
  startedAt: new Date('2026-12-24T07:00:00Z'),
  pauses: [],
  respondMinutes: 60,
  resolveMinutes: 8 * 60,
  warnAt: [50, 75, 90],
  running: { response: true, resolution: true },
};

describe('SLA milestones', () => {
  it('places thresholds in business time, across a holiday and a weekend', () => {
    const resolution = slaMilestones(base).filter((m) => m.clock === 'resolution');
    expect(resolution.map((m) => [m.percent, m.at.toISOString()])).toEqual([
      // 50 % = 4 h: 2 h on Thursday, then Friday 25th (holiday), Sat, Sun; 2 h on Monday 28th → 11:00 Seoul.
      [50, '2026-12-28T02:00:00.000Z'],
      [75, '2026-12-28T04:00:00.000Z'],
      [90, '2026-12-28T05:12:00.000Z'],
      [100, '2026-12-28T06:00:00.000Z'],
    ]);
  });

  it('announces only the highest threshold reached per clock', () => {
    const reached = milestonesReached(slaMilestones(base), new Date('2026-12-28T05:30:00Z'));
    expect(reached.map((m) => `${m.clock}:${m.percent}`).sort()).toEqual(['resolution:90', 'response:100']);
  });

  it('leaves out what an open hold has not reached, and skips stopped clocks', () => {
    const held = slaMilestones({
      ...base,
      pauses: [{ start: new Date('2026-12-28T03:00:00Z') }],
      running: { response: false, resolution: true },
    });
    expect(held.map((m) => m.percent)).toEqual([50]);
  });

  it('names the next milestone after now', () => {
    const next = nextMilestone(slaMilestones(base), new Date('2026-12-24T07:30:00Z'));
    expect(next).toMatchObject({ clock: 'response', percent: 75 });
    expect(nextMilestone(slaMilestones(base), new Date('2027-01-01T00:00:00Z'))).toBeUndefined();
  });
});
