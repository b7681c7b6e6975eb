import { holderOf } from '../../../src/domain/request-holder';

const members: Record<string, string[]> = { desk: ['sam', 'minji'], network: ['alex'] };
const groups = { isMember: (group: string, person: string) => (members[group] ?? []).includes(person) };
const request = (assigneeId: string | null, tasks: { group: string; state: string }[], state = 'in_fulfilment') => ({ state, assigneeId, tasks });

describe('who has a request being fulfilled', () => {
  it('is its assignee while a group of theirs has an open task', () => {
    expect(holderOf(request('sam', [{ group: 'desk', state: 'open' }]), groups)).toBe('sam');
    expect(holderOf(request(null, [{ group: 'desk', state: 'open' }]), groups)).toBeUndefined();
  });

  it('is nobody once the work moved on to another group, or the request is no longer being fulfilled', () => {
    const movedOn = [
      { group: 'desk', state: 'done' },
      { group: 'network', state: 'open' },
    ];
    expect(holderOf(request('sam', movedOn), groups)).toBeUndefined();
    expect(holderOf(request('sam', [{ group: 'desk', state: 'done' }], 'fulfilled'), groups)).toBeUndefined();
  });
});
