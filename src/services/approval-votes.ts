import { insertOnce } from '../db/insert-once';
import type { Models } from '../models/models';
import { voteId, type ApprovalStepDoc, type ApprovalVoteDoc } from '../models/service-request.model';

/**
 * The votes on requests' and changes' approval steps, each its own document
 * (`<number>:<step>:<person>`): inserting it is the vote's claim, so a second click by the same
 * person is refused and votes cast at the same moment are all kept. Read by `_id` only.
 */
export class ApprovalVotes {
  constructor(private readonly models: Models) {}

  /** Claims the approver's vote on the step; false when they voted on it already. */
  cast(vote: Omit<ApprovalVoteDoc, '_id'>): Promise<boolean> {
    return insertOnce(this.models.ApprovalVote, { ...vote, _id: voteId(vote.recordId, vote.step, vote.approverId) });
  }

  /** The approver's vote on the step, if any. */
  of(recordId: string, step: number, approverId: string): Promise<ApprovalVoteDoc | null> {
    return this.models.ApprovalVote.findById(voteId(recordId, step, approverId)).lean<ApprovalVoteDoc>().exec();
  }

  /** Every vote cast on the record's step, oldest first, read by `_id` (one lookup per approver). */
  async on(record: { _id: string; steps: readonly ApprovalStepDoc[] }, step: number): Promise<ApprovalVoteDoc[]> {
    const approvers = record.steps[step]?.approvers ?? [];
    const found = await Promise.all(approvers.map((a) => this.of(record._id, step, a.id)));
    return found.filter((v): v is ApprovalVoteDoc => v !== null).sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime());
  }
}
