import { DEFAULT_PRIORITY_MATRIX, priorityOf } from '../../../src/domain/priority';

describe('priority matrix', () => {
  it.each([
    ['high', 'high', 'P1'],
    ['high', 'medium', 'P2'],
    ['medium', 'high', 'P2'],
    ['high', 'low', 'P3'],
    ['medium', 'medium', 'P3'],
    ['low', 'high', 'P3'],
    ['medium', 'low', 'P4'],
    ['low', 'medium', 'P4'],
    ['low', 'low', 'P4'],
  ] as const)('impact %s × urgency %s → %s', (impact, urgency, priority) => {
    expect(priorityOf(DEFAULT_PRIORITY_MATRIX, impact, urgency)).toBe(priority);
  });

  it('follows a configured matrix', () => {
    const strict = { ...DEFAULT_PRIORITY_MATRIX, medium: { high: 'P1', medium: 'P2', low: 'P3' } } as const;
    expect(priorityOf(strict, 'medium', 'high')).toBe('P1');
  });
});
