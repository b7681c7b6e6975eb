import { onCallAt, onCallNowAndNext, type OnCallSchedule } from '../../../src/domain/on-call';

const seoulDaily: OnCallSchedule = {
  timeZone: 'Asia/Seoul',
  handoff: '09:00',
  rotation: 'daily',
  startsOn: '2026-01-05',
  participants: ['alex.park@example.com', 'sam.lee@example.com'],
  overrides: [],
};

describe('on-call schedules', () => {
  it('hands off at 09:00 in Seoul (00:00 UTC), not at midnight UTC or Seoul midnight', () => {
    // 2026-01-05 + 324 days = 2026-11-25: an even shift, the first participant's.
    expect(onCallAt(seoulDaily, new Date('2026-11-24T23:59:59Z')).person).toBe('sam.lee@example.com');
    const shift = onCallAt(seoulDaily, new Date('2026-11-25T00:00:00Z'));
    expect(shift.person).toBe('alex.park@example.com');
    expect(shift.from.toISOString()).toBe('2026-11-25T00:00:00.000Z');
    expect(shift.to.toISOString()).toBe('2026-11-26T00:00:00.000Z');
    // Seoul midnight (15:00 UTC the day before) is not a hand-off.
    expect(onCallAt(seoulDaily, new Date('2026-11-25T15:00:00Z')).person).toBe('alex.park@example.com');
  });

  it('rotates weekly from the first Monday, and names who comes next', () => {
    const weekly: OnCallSchedule = { ...seoulDaily, rotation: 'weekly', participants: ['a@x.com', 'b@x.com', 'c@x.com'] };
    expect(onCallAt(weekly, new Date('2026-01-05T00:00:00Z')).person).toBe('a@x.com');
    expect(onCallAt(weekly, new Date('2026-01-11T23:59:00Z')).person).toBe('a@x.com');
    expect(onCallAt(weekly, new Date('2026-01-12T00:00:00Z')).person).toBe('b@x.com');
    const { now, next } = onCallNowAndNext(weekly, new Date('2026-01-20T03:00:00Z'));
    expect(now.person).toBe('c@x.com');
    expect(next.person).toBe('a@x.com');
    expect(next.from.toISOString()).toBe('2026-01-26T00:00:00.000Z');
  });

  it('keeps the local hand-off hour across a daylight-saving change', () => {
    const newYork: OnCallSchedule = { ...seoulDaily, timeZone: 'America/New_York', startsOn: '2026-10-30' };
    // 09:00 EDT is 13:00 UTC; after 1 November 09:00 EST is 14:00 UTC.
    expect(onCallAt(newYork, new Date('2026-10-31T13:00:00Z')).from.toISOString()).toBe('2026-10-31T13:00:00.000Z');
    const afterChange = onCallAt(newYork, new Date('2026-11-02T13:30:00Z'));
    expect(afterChange.from.toISOString()).toBe('2026-11-01T14:00:00.000Z');
    expect(afterChange.to.toISOString()).toBe('2026-11-02T14:00:00.000Z');
  });

  it('lets an override replace the rotation, and cuts the shift before it short', () => {
    const schedule: OnCallSchedule = {
      ...seoulDaily,
      overrides: [{ person: 'taylor.yoon@example.com', from: new Date('2026-11-25T05:00:00Z'), to: new Date('2026-11-25T09:00:00Z') }],
    };
    const before = onCallAt(schedule, new Date('2026-11-25T01:00:00Z'));
    expect(before).toMatchObject({ person: 'alex.park@example.com', override: false });
    expect(before.to.toISOString()).toBe('2026-11-25T05:00:00.000Z');
    expect(onCallAt(schedule, new Date('2026-11-25T06:00:00Z'))).toMatchObject({ person: 'taylor.yoon@example.com', override: true });
    expect(onCallAt(schedule, new Date('2026-11-25T09:00:00Z')).person).toBe('alex.park@example.com');
    expect(onCallNowAndNext(schedule, new Date('2026-11-25T01:00:00Z')).next.person).toBe('taylor.yoon@example.com');
  });

  it('works before the first shift (the rotation runs backwards too)', () => {
    expect(onCallAt(seoulDaily, new Date('2026-01-04T01:00:00Z')).person).toBe('sam.lee@example.com');
  });
});
