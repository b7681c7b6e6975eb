import { stepOutcome } from '../../../src/domain/approval-rules';

const approvers = (...ids: string[]) => ids.map((id) => ({ id, name: id }));
const vote = (approverId: string, decision: 'approved' | 'rejected') => ({ approverId, decision });

describe('an approval step decided by its votes', () => {
  it('approves at `need` approvals, and rejects once they can no longer be reached', () => {
    const quorum = { approvers: approvers('a', 'b', 'c'), need: 2 };
    expect(stepOutcome(quorum, [vote('a', 'approved')])).toBe('open');
    expect(stepOutcome(quorum, [vote('a', 'approved'), vote('b', 'approved')])).toBe('approved');
    expect(stepOutcome(quorum, [vote('a', 'rejected')])).toBe('open');
    expect(stepOutcome(quorum, [vote('a', 'rejected'), vote('b', 'rejected')])).toBe('rejected');
  });

  it('ignores votes of people who are not its approvers', () => {
    expect(stepOutcome({ approvers: approvers('a'), need: 1 }, [vote('x', 'approved')])).toBe('open');
  });

  it('rejects an `all` step at its first rejection, even once an escalation added someone who may approve in place of a silent approver', () => {
    const all = { approvers: approvers('a', 'b'), need: 2, all: true };
    expect(stepOutcome(all, [vote('a', 'rejected')])).toBe('rejected');
    const escalated = { ...all, approvers: approvers('a', 'b', 'boss') };
    // Without the flag, two approvals of three would still be possible after one rejection.
    expect(stepOutcome({ approvers: escalated.approvers, need: 2 }, [vote('a', 'rejected')])).toBe('open');
    expect(stepOutcome(escalated, [vote('a', 'rejected')])).toBe('rejected');
    // The escalation person stands in for the silent one.
    expect(stepOutcome(escalated, [vote('a', 'approved'), vote('boss', 'approved')])).toBe('approved');
  });
});
