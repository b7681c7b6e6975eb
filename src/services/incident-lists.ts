import { OPEN_INCIDENT_STATES } from '../domain/incident-lifecycle';
import type { IncidentDoc } from '../models/incident.model';
import type { ListedRecord } from '../models/record-list.model';
import type { RecordLists } from './record-lists';

/** The lists an open incident is in: its requester's, its group's queue, its service's. */
export const INCIDENT_LISTS = {
  requester: (personId: string) => `incident.requester:${personId}`,
  group: (group: string) => `incident.group:${group}`,
  service: (service: string) => `incident.service:${service}`,
} as const;

const OPEN = new Set<string>(OPEN_INCIDENT_STATES);
const PLACED_KEPT = 10_000;

export function listsOf(incident: IncidentDoc): string[] {
  if (!OPEN.has(incident.state)) return [];
  return [INCIDENT_LISTS.requester(incident.requesterId), INCIDENT_LISTS.group(incident.assignmentGroup), INCIDENT_LISTS.service(incident.service)];
}

/** An open incident as a list knows it: enough to sort, count and page without reading it. */
export interface OpenIncident {
  number: string;
  version: number;
  priority: string;
  createdAt: number;
  /** The lists read that hold it. */
  lists: string[];
}

export type IncidentOrder = 'newest' | 'mostUrgent';

const ORDERS: Record<IncidentOrder, (a: OpenIncident, b: OpenIncident) => number> = {
  newest: (a, b) => b.createdAt - a.createdAt || b.number.localeCompare(a.number),
  mostUrgent: (a, b) => a.priority.localeCompare(b.priority) || a.createdAt - b.createdAt || a.number.localeCompare(b.number),
};

export interface IncidentPage {
  incidents: IncidentDoc[];
  /** Open incidents in the lists, all pages together. */
  total: number;
}

const asOpen = (listed: ListedRecord, list: string): OpenIncident => ({
  number: listed.recordId,
  version: listed.version,
  priority: String(listed.item?.priority ?? 'P4'),
  createdAt: Number(listed.item?.createdAt ?? 0),
  lists: [list],
});

/**
 * The open incidents of a requester, a group or a service, kept in record lists (see
 * record-lists.ts) as each incident changes: reading a page costs the list and the page's
 * incidents, whatever the history holds.
 */
export class IncidentLists {
  /**
   * The version of each incident this process last wrote into its lists: a new incident's job is
   * run twice (at once, and from its timer), and its second run writes nothing.
   */
  private readonly placed = new Map<string, number>();

  constructor(
    private readonly lists: RecordLists,
    private readonly load: (number: string) => Promise<IncidentDoc | null>,
  ) {}

  /** Writes the incident into the lists it is now in, and out of those it was in before (`before`). */
  async place(incident: IncidentDoc, before?: IncidentDoc | null): Promise<void> {
    if ((this.placed.get(incident._id) ?? 0) >= incident.version) return;
    await this.write(incident, before);
    if (this.placed.size >= PLACED_KEPT) this.placed.clear();
    this.placed.set(incident._id, incident.version);
  }

  private async write(incident: IncidentDoc, before?: IncidentDoc | null): Promise<void> {
    const now = listsOf(incident);
    const was = before ? listsOf(before) : [];
    // Most changes (a comment, an acknowledgement) move nothing: the lists already say all they hold.
    if (before && was.join() === now.join() && before.priority === incident.priority) return;
    const left = was.filter((l) => !now.includes(l));
    const item = { priority: incident.priority, createdAt: new Date(incident.createdAt).getTime() };
    await Promise.all([
      ...now.map((list) => this.lists.write(list, { recordId: incident._id, version: incident.version, item })),
      ...left.map((list) => this.lists.write(list, { recordId: incident._id, version: incident.version, gone: true })),
    ]);
  }

  /** The open incidents of these lists, sorted, without reading the incidents. */
  async open(lists: readonly string[], order: IncidentOrder): Promise<OpenIncident[]> {
    const byNumber = new Map<string, OpenIncident>();
    const read = await Promise.all(lists.map((l) => this.lists.members(l)));
    read.forEach((members, i) => {
      for (const member of members) {
        const known = byNumber.get(member.recordId);
        if (known) known.lists.push(lists[i] as string);
        else byNumber.set(member.recordId, asOpen(member, lists[i] as string));
      }
    });
    return [...byNumber.values()].sort(ORDERS[order]);
  }

  /**
   * One page (from 0) of the open incidents of these lists, read by number. An incident found no
   * longer where a list has it (its departure was not written: a crash in between) is left out and
   * written out of that list, so the lists mend as they are read.
   */
  async page(lists: readonly string[], order: IncidentOrder, page: number, size: number): Promise<IncidentPage> {
    const open = await this.open(lists, order);
    const wanted = open.slice(page * size, (page + 1) * size);
    const incidents = await this.current(wanted);
    return { incidents, total: open.length - (wanted.length - incidents.length) };
  }

  /** These incidents as they are now, those still in a list that holds them only. */
  async current(listed: readonly OpenIncident[]): Promise<IncidentDoc[]> {
    const found = await Promise.all(listed.map((o) => this.load(o.number)));
    const mending: Promise<void>[] = [];
    const kept = listed.flatMap((o, i) => {
      const incident = found[i];
      const now = incident ? listsOf(incident) : [];
      // Written out at the version the list holds (a later entry wins a tie), or at the incident's own.
      const version = Math.max(o.version, incident?.version ?? 0);
      for (const list of o.lists.filter((l) => !now.includes(l))) mending.push(this.lists.write(list, { recordId: o.number, version, gone: true }));
      return incident && o.lists.some((l) => now.includes(l)) ? [incident] : [];
    });
    await Promise.all(mending);
    return kept;
  }
}
