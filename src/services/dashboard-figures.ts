import { DateTime } from 'luxon';
import { findByIds } from '../db/find-by-ids';
import type { ItsmCatalog } from '../config/itsm-catalog';
import { undecidedApprovers } from '../domain/approval-rules';
import type { ChangeState } from '../domain/change-lifecycle';
import { OPEN_INCIDENT_STATES } from '../domain/incident-lifecycle';
import { onCallAt } from '../domain/on-call';
import { PRIORITIES, type Priority } from '../domain/priority';
import { OPEN_REQUEST_STATES } from '../domain/service-request-lifecycle';
import type { Locale } from '../i18n/translate';
import type { ChangeDoc } from '../models/change.model';
import type { IncidentDoc } from '../models/incident.model';
import type { Models } from '../models/models';
import type { ApprovalStepDoc, ServiceRequestDoc } from '../models/service-request.model';
import { INCIDENT_LISTS } from './incident-lists';
import { RecordLists } from './record-lists';
import { REQUEST_LISTS } from './request-records';

export interface OpenCounts {
  total: number;
  /** Every open state of the kind, in lifecycle order, those with none at 0. */
  byState: Record<string, number>;
}

export interface AtRiskTicket {
  number: string;
  title: string;
  kind: 'incident' | 'request';
  priority: Priority;
  /** The running clock due first: the response, or the resolution (a request's fulfilment). */
  clock: 'respond' | 'resolve';
  dueAt: string;
  /** Whole minutes until `dueAt`, rounded down: negative once breached. */
  minutesLeft: number;
}

export interface ApprovalWait {
  number: string;
  title: string;
  kind: 'request' | 'change';
  /** The current step's approvers who have not voted. */
  waitingOn: string[];
  /** When the current step became the one to decide. */
  since: string;
}

export interface OnCallNow {
  group: string;
  groupName: string;
  people: string[];
}

/** One day of incidents, in the viewer's time zone. */
export interface DailyIncidentFigures {
  /** yyyy-MM-dd */
  day: string;
  opened: number;
  resolved: number;
  /** Of those resolved that day, by their resolution clock. */
  slaMet: number;
  slaBreached: number;
  /** Mean minutes from opened to acknowledged, of those acknowledged that day. */
  mttaMinutes: number | null;
  /** Mean minutes from opened to resolved, of those resolved that day. */
  mttrMinutes: number | null;
}

export interface DashboardData {
  generatedAt: string;
  /** The zone the days are counted in (the viewer's, else the company's default). */
  timeZone: string;
  locale: Locale;
  open: {
    incidents: OpenCounts & { byPriority: Record<Priority, number> };
    requests: OpenCounts;
    changes: OpenCounts;
  };
  /** Up to 10, soonest due first. */
  atRisk: AtRiskTicket[];
  /** Up to 20, longest waiting first. */
  awaitingApproval: ApprovalWait[];
  onCallNow: OnCallNow[];
  /** The last 30 days, oldest first, today last. */
  daily: DailyIncidentFigures[];
}

const AT_RISK_LIMIT = 10;
const AWAITING_LIMIT = 20;
const DAYS = 30;
/** Open records are read by `_id`, this many a batch (one find where the storage serves a list of ids by index). */
const READ_AT_ONCE = 50;
/** A change is open until it ends: the states holding its window, and the review after it. */
const OPEN_CHANGE_STATES: readonly ChangeState[] = ['assessment', 'scheduled', 'implementing', 'review'];

type OpenIncident = Pick<IncidentDoc, '_id' | 'title' | 'priority' | 'state' | 'acknowledgedAt'> & { sla?: Partial<IncidentDoc['sla']> };
type OpenRequest = Pick<ServiceRequestDoc, '_id' | 'title' | 'priority' | 'state' | 'respondedAt' | 'steps' | 'currentStep' | 'createdAt'> & {
  sla?: Partial<ServiceRequestDoc['sla']>;
};
type OpenChange = Pick<ChangeDoc, '_id' | 'title' | 'state' | 'steps' | 'currentStep' | 'createdAt'>;
type DayIncident = Pick<IncidentDoc, 'createdAt' | 'acknowledgedAt' | 'resolvedAt'> & {
  durations?: { resolutionBreached?: boolean };
  sla?: { resolutionDueAt?: Date | null };
};

const INCIDENT_FIELDS = { title: 1, priority: 1, state: 1, acknowledgedAt: 1, 'sla.responseDueAt': 1, 'sla.resolutionDueAt': 1 };
const REQUEST_FIELDS = { title: 1, priority: 1, state: 1, respondedAt: 1, 'sla.responseDueAt': 1, 'sla.resolutionDueAt': 1, steps: 1, currentStep: 1, createdAt: 1 };
const CHANGE_FIELDS = { title: 1, state: 1, steps: 1, currentStep: 1, createdAt: 1 };
const DAY_FIELDS = { _id: 0, createdAt: 1, acknowledgedAt: 1, resolvedAt: 1, 'durations.resolutionBreached': 1, 'sla.resolutionDueAt': 1 };

/**
 * What the web console's dashboard shows. What is open comes from the lists of open records (by
 * `_id`, docs/storage.md §2), read with only the fields shown; changes, which have no list of all
 * open ones, by their indexed state. The 30 days come from one query on the three indexed instants
 * (opened, acknowledged, resolved) within the window: the history before it is never read. On
 * FerretDB's SQLite storage that query still reads the collection, as any filter but `_id` does.
 */
export class DashboardFigures {
  private readonly lists: RecordLists;

  constructor(
    private readonly models: Models,
    private readonly catalog: ItsmCatalog,
    private readonly now: () => Date,
  ) {
    this.lists = new RecordLists(models, now);
  }

  async read(viewer: { locale: Locale; timeZone: string }): Promise<DashboardData> {
    const now = this.now();
    const timeZone = DateTime.now().setZone(viewer.timeZone).isValid ? viewer.timeZone : this.catalog.config.defaults.timeZone;
    const [incidents, requests, changes, daily] = await Promise.all([this.openIncidents(), this.openRequests(), this.openChanges(), this.daily(now, timeZone)]);
    const byPriority = Object.fromEntries(PRIORITIES.map((p) => [p, incidents.filter((i) => i.priority === p).length])) as Record<Priority, number>;
    return {
      generatedAt: now.toISOString(),
      timeZone,
      locale: viewer.locale,
      open: {
        incidents: { ...counted(incidents, OPEN_INCIDENT_STATES), byPriority },
        requests: counted(requests, OPEN_REQUEST_STATES),
        changes: counted(changes, OPEN_CHANGE_STATES),
      },
      atRisk: atRisk(incidents, requests, now),
      awaitingApproval: awaitingApproval(requests, changes),
      onCallNow: this.onCallNow(now),
      daily,
    };
  }

  /** Every open incident is in its service's list; the record read says whether it still is open. */
  private async openIncidents(): Promise<OpenIncident[]> {
    const listed = await Promise.all([...this.catalog.services.keys()].map((s) => this.lists.members(INCIDENT_LISTS.service(s))));
    const ids = [...new Set(listed.flat().map((m) => m.recordId))];
    const found = await readEach(ids, (batch) => findByIds(this.models.Incident, batch, INCIDENT_FIELDS) as Promise<(OpenIncident | null)[]>);
    return found.filter((i) => OPEN_INCIDENT_STATES.includes(i.state));
  }

  private async openRequests(): Promise<OpenRequest[]> {
    const ids = (await this.lists.members(REQUEST_LISTS.open)).map((m) => m.recordId);
    const found = await readEach(ids, (batch) => findByIds(this.models.ServiceRequest, batch, REQUEST_FIELDS) as Promise<(OpenRequest | null)[]>);
    return found.filter((r) => OPEN_REQUEST_STATES.includes(r.state));
  }

  private openChanges(): Promise<OpenChange[]> {
    return this.models.Change.find({ state: { $in: OPEN_CHANGE_STATES } }, CHANGE_FIELDS).lean<OpenChange[]>().exec();
  }

  private onCallNow(now: Date): OnCallNow[] {
    return [...this.catalog.groups.values()].flatMap((group) => {
      const schedule = this.catalog.onCallScheduleOf(group.key);
      if (!schedule) return [];
      const { person } = onCallAt(schedule, now);
      return [{ group: group.key, groupName: group.name, people: [this.catalog.people.get(person)?.name ?? person] }];
    });
  }

  private async daily(now: Date, timeZone: string): Promise<DailyIncidentFigures[]> {
    const today = DateTime.fromJSDate(now, { zone: timeZone }).startOf('day');
    const days = Array.from({ length: DAYS }, (_, i) => today.minus({ days: DAYS - 1 - i }));
    const window = { $gte: (days[0] ?? today).toJSDate(), $lt: today.plus({ days: 1 }).toJSDate() };
    const touched = await this.models.Incident.find({ $or: [{ createdAt: window }, { acknowledgedAt: window }, { resolvedAt: window }] }, DAY_FIELDS)
      .lean<DayIncident[]>()
      .exec();
    const dayOf = (at: Date) => DateTime.fromJSDate(new Date(at), { zone: timeZone }).toISODate() ?? '';
    return dailyFigures(days.map((d) => d.toISODate() ?? ''), touched, dayOf);
  }
}

async function readEach<T>(ids: readonly string[], read: (batch: readonly string[]) => Promise<(T | null)[]>): Promise<T[]> {
  const found: T[] = [];
  for (let i = 0; i < ids.length; i += READ_AT_ONCE) {
    for (const doc of await read(ids.slice(i, i + READ_AT_ONCE))) if (doc) found.push(doc);
  }
  return found;
}

function counted(records: readonly { state: string }[], states: readonly string[]): OpenCounts {
  const byState = Object.fromEntries(states.map((s) => [s, records.filter((r) => r.state === s).length]));
  return { total: records.length, byState };
}

const minutesBetween = (from: Date, to: Date) => (new Date(to).getTime() - new Date(from).getTime()) / 60_000;

/** The clock due first among those running (a null due: not running). */
function pressing(respondDue: Date | null | undefined, resolveDue: Date | null | undefined): { clock: AtRiskTicket['clock']; due: Date } | undefined {
  const running = [
    ...(respondDue ? [{ clock: 'respond' as const, due: new Date(respondDue) }] : []),
    ...(resolveDue ? [{ clock: 'resolve' as const, due: new Date(resolveDue) }] : []),
  ];
  return running.sort((a, b) => a.due.getTime() - b.due.getTime())[0];
}

function atRisk(incidents: readonly OpenIncident[], requests: readonly OpenRequest[], now: Date): AtRiskTicket[] {
  const tickets: AtRiskTicket[] = [];
  const add = (record: { _id: string; title: string; priority: Priority }, kind: AtRiskTicket['kind'], clock: ReturnType<typeof pressing>) => {
    if (!clock) return;
    const { _id: number, title, priority } = record;
    tickets.push({ number, title, kind, priority, clock: clock.clock, dueAt: clock.due.toISOString(), minutesLeft: Math.floor(minutesBetween(now, clock.due)) });
  };
  // A held incident's resolution due is null: its clock is paused.
  for (const i of incidents) add(i, 'incident', pressing(i.acknowledgedAt ? null : i.sla?.responseDueAt, i.sla?.resolutionDueAt));
  for (const r of requests) add(r, 'request', pressing(r.respondedAt ? null : r.sla?.responseDueAt, r.sla?.resolutionDueAt));
  return tickets.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.number.localeCompare(b.number)).slice(0, AT_RISK_LIMIT);
}

function awaitingApproval(requests: readonly OpenRequest[], changes: readonly OpenChange[]): ApprovalWait[] {
  const wait = (record: OpenRequest | OpenChange, kind: ApprovalWait['kind']): ApprovalWait => {
    const step: Partial<ApprovalStepDoc> | undefined = (record.steps ?? [])[record.currentStep];
    const undecided = undecidedApprovers(step ? { approvers: step.approvers ?? [], votes: step.votes ?? [] } : undefined);
    return { number: record._id, title: record.title, kind, waitingOn: undecided.map((a) => a.name), since: new Date(step?.startedAt ?? record.createdAt).toISOString() };
  };
  return [
    ...requests.filter((r) => r.state === 'awaiting_approval').map((r) => wait(r, 'request')),
    ...changes.filter((c) => c.state === 'assessment').map((c) => wait(c, 'change')),
  ]
    .sort((a, b) => a.since.localeCompare(b.since) || a.number.localeCompare(b.number))
    .slice(0, AWAITING_LIMIT);
}

/** Folds the incidents touched in the window into its days (`dayOf` names an instant's day). */
function dailyFigures(days: readonly string[], incidents: readonly DayIncident[], dayOf: (at: Date) => string): DailyIncidentFigures[] {
  const tally = new Map(days.map((day) => [day, { opened: 0, resolved: 0, slaBreached: 0, ackCount: 0, ackSum: 0, fixSum: 0 }]));
  for (const i of incidents) {
    const opened = tally.get(dayOf(i.createdAt));
    if (opened) opened.opened += 1;
    const acknowledged = i.acknowledgedAt ? tally.get(dayOf(i.acknowledgedAt)) : undefined;
    if (acknowledged && i.acknowledgedAt) {
      acknowledged.ackCount += 1;
      acknowledged.ackSum += minutesBetween(i.createdAt, i.acknowledgedAt);
    }
    const resolved = i.resolvedAt ? tally.get(dayOf(i.resolvedAt)) : undefined;
    if (resolved && i.resolvedAt) {
      resolved.resolved += 1;
      resolved.fixSum += minutesBetween(i.createdAt, i.resolvedAt);
      const due = i.sla?.resolutionDueAt;
      // Stored when it was resolved; the due instant decides for a record that lacks it.
      if (i.durations?.resolutionBreached ?? (due ? new Date(i.resolvedAt) > new Date(due) : false)) resolved.slaBreached += 1;
    }
  }
  const mean = (sum: number, count: number) => (count === 0 ? null : Math.round((sum / count) * 10) / 10);
  return days.map((day) => {
    const t = tally.get(day) ?? { opened: 0, resolved: 0, slaBreached: 0, ackCount: 0, ackSum: 0, fixSum: 0 };
    return {
      day,
      opened: t.opened,
      resolved: t.resolved,
      slaMet: t.resolved - t.slaBreached,
      slaBreached: t.slaBreached,
      mttaMinutes: mean(t.ackSum, t.ackCount),
      mttrMinutes: mean(t.fixSum, t.resolved),
    };
  });
}
