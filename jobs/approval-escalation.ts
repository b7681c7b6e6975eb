import type { ApprovalStepDoc } from '../src/models/service-request.model';
import { personIdForEmail } from '../src/people/people-directory';
import { RecordConflict } from '../src/services/audited-change';
import type { Announcement } from '../src/views/view-model';
import type { JobContext } from './job-context';

const SYSTEM = { id: 'system', name: 'opsdesk' };

interface EscalatedRecord {
  _id: string;
  state: string;
  requesterId: string;
  steps: ApprovalStepDoc[];
  currentStep: number;
}

/** How one kind of record is read and changed (its records service), and announced, for an escalation. */
export interface EscalationTarget<T extends EscalatedRecord> {
  /** The state its steps are decided in. */
  deciding: string;
  records: {
    findById(id: string): Promise<T | null>;
    change(change: { seen: T; action: 'escalate'; actor: typeof SYSTEM; at: Date; before: Record<string, unknown>; after: Record<string, unknown>; set: Record<string, unknown> }): Promise<T>;
  };
  announcements(record: T): Promise<Announcement[]>;
}

/**
 * A step still undecided a second deadline later: the escalation person becomes one of its
 * approvers (an audited `escalate`) and gets its card with everyone's redrawn. Nothing happens to
 * a step decided meanwhile, to a requester's own record, or a second time (two processes, a retry).
 */
export async function escalateStep<T extends EscalatedRecord>(ctx: JobContext, target: EscalationTarget<T>, seen: T, step: number, email: string): Promise<void> {
  const personId = personIdForEmail(email);
  let record = seen;
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = record.steps[step];
    if (!current || record.state !== target.deciding || record.currentStep !== step) return;
    if (personId === record.requesterId || current.approvers.some((a) => a.id === personId)) return;
    const name = ctx.catalog.people.get(email.toLowerCase())?.name ?? email;
    const steps = record.steps.map((s, i) => (i === step ? { ...s, approvers: [...s.approvers, { id: personId, name }], escalatedTo: name } : s));
    try {
      const updated = await target.records.change({ seen: record, action: 'escalate', actor: SYSTEM, at: ctx.now(), before: { step }, after: { step, escalatedTo: name }, set: { steps } });
      await ctx.notifier.announce(await target.announcements(updated));
      return;
    } catch (error) {
      if (!(error instanceof RecordConflict)) throw error;
      const again = await target.records.findById(record._id);
      if (!again) return;
      record = again;
    }
  }
}
