import { undecidedApprovers } from '../domain/approval-rules';
import { OPEN_CHANGE_STATES, type ChangeAction } from '../domain/change-lifecycle';
import type { ChangeDoc } from '../models/change.model';
import type { Models } from '../models/models';
import type { AuditActor } from './audit-log';
import { ListedRecords, type NewRecordOf } from './listed-records';
import { SERIES } from './number-series';
import type { RecordPage } from './open-record-lists';

export type NewChange = NewRecordOf<ChangeDoc>;

/**
 * The lists a change is in: the open changes of each of its configuration items (collisions are
 * looked for among them), its requester's, its current step's approvers yet to vote, the recent
 * changes of its items, and, once it has an outcome, the changes reviewed in the last 90 days (the
 * success rate).
 */
export const CHANGE_LISTS = {
  /** Open changes on a configuration item (collisions are looked for among those of the items concerned). */
  openOn: (ci: string) => `change.open:${ci}`,
  /** Changes implemented on a configuration item whose window ended less than RECENT_MS ago. */
  item: (ci: string) => `change.item:${ci}`,
  requester: (personId: string) => `change.requester:${personId}`,
  approver: (personId: string) => `change.approver:${personId}`,
  reviewed: 'change.reviewed',
} as const;

const OPEN = new Set<string>(OPEN_CHANGE_STATES);
const IMPLEMENTED = new Set<string>(['implementing', 'review', 'closed']);
/** How long after its window a reviewed change counts in the success rate (it leaves the list as time passes). */
export const RATE_WINDOW_MS = 90 * 24 * 60 * 60_000;
/** How long after its window a change counts as recent on its configuration items (an incident's card shows them). */
export const RECENT_MS = 24 * 60 * 60_000;

/**
 * The lists a change is in now. A change leaves its items' recent lists as time passes, not by a
 * change of its own: the list is mended as it is read (open-record-lists.ts writes out what a
 * reader finds no longer belongs), so it holds the recent changes and those not read since.
 */
export function changeListsOf(change: ChangeDoc, now: Date): string[] {
  const lists: string[] = [];
  if (IMPLEMENTED.has(change.state) && new Date(change.windowEnd).getTime() >= now.getTime() - RECENT_MS) {
    for (const item of change.affectedItems) lists.push(CHANGE_LISTS.item(item));
  }
  if (OPEN.has(change.state)) {
    lists.push(CHANGE_LISTS.requester(change.requesterId));
    for (const item of change.affectedItems) lists.push(CHANGE_LISTS.openOn(item));
  }
  if (change.state === 'assessment') {
    for (const approver of undecidedApprovers(change.steps[change.currentStep])) lists.push(CHANGE_LISTS.approver(approver.id));
  }
  if (change.outcome && new Date(change.windowEnd).getTime() >= now.getTime() - RATE_WINDOW_MS) lists.push(CHANGE_LISTS.reviewed);
  return [...new Set(lists)];
}

/** Data access for changes (listed-records.ts), and the lists that find them. */
export class ChangeRecords extends ListedRecords<ChangeDoc, ChangeAction> {
  constructor(
    models: Models,
    nowMs: () => number = Date.now,
    observe?: (change: ChangeDoc, before?: ChangeDoc) => Promise<void>,
    /** The business clock (a test's), for which changes are still recent. */
    now: () => Date = () => new Date(nowMs()),
  ) {
    super(models, { records: models.Change, kind: 'change', series: SERIES.change, listsOf: (change) => changeListsOf(change, now()) }, nowMs, observe);
  }

  /** Creates the change, or returns the one an earlier try with the same dedupe key created. */
  async create(draft: NewChange, actor: AuditActor, at: Date, idempotent: boolean): Promise<{ change: ChangeDoc; created: boolean }> {
    const { record, created } = await this.createRecord(draft, { title: draft.title, type: draft.type, risk: draft.risk, state: draft.state }, actor, at, idempotent);
    return { change: record, created };
  }

  /** The changes still holding their window on these configuration items, as they are now (collisions are looked for among them). */
  async openOn(items: readonly string[]): Promise<ChangeDoc[]> {
    if (items.length === 0) return [];
    return this.lists.current(await this.lists.open(items.map(CHANGE_LISTS.openOn), 'newest'));
  }

  /** A page (from 0) of the person's open changes, newest first. */
  requestedBy(personId: string, page: number, size: number): Promise<RecordPage<ChangeDoc>> {
    return this.lists.page([CHANGE_LISTS.requester(personId)], 'newest', page, size);
  }

  /** A page (from 0) of the changes whose current step waits on the person's vote, oldest first. */
  waitingOn(personId: string, page: number, size: number): Promise<RecordPage<ChangeDoc>> {
    return this.lists.page([CHANGE_LISTS.approver(personId)], 'mostUrgent', page, size);
  }

  /** The changes implemented on these configuration items whose window ended in the last 24 hours, newest first. */
  async recentOn(items: readonly string[]): Promise<ChangeDoc[]> {
    if (items.length === 0) return [];
    return this.lists.current(await this.lists.open(items.map(CHANGE_LISTS.item), 'newest'));
  }

  /** The changes with an outcome whose window ended in the last 90 days. */
  async reviewed(): Promise<ChangeDoc[]> {
    return this.lists.current(await this.lists.open([CHANGE_LISTS.reviewed], 'newest'));
  }
}
