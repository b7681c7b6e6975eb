import { DateTime } from 'luxon';
/** A step of a catalog item's approval, as the configuration declares it. */
export interface StepConfig {
  manager?: true | undefined;
  group?: string | undefined;
  person?: string | undefined;
  /** The owner of the configuration item chosen in this field. */
  ownerOf?: string | undefined;
  need: 'any' | 'all' | number;
  when?: { field: string; equals?: string | undefined; oneOf?: string[] | undefined; over?: number | undefined; itemCriticality?: string[] | undefined } | undefined;
}

/** What the plan reads of a catalog item. */
export interface ItemApprovalConfig {
  fulfilmentGroup: string;
  escalateTo?: string | undefined;
  /** Who decides a step left with nobody when there is no `escalateTo` (default: the fulfilment group's managers). */
  fallback?: readonly string[];
  approval: readonly StepConfig[];
}

/** What the plan reads of the configuration: people, groups, configuration items and delegations. */
export interface ApprovalDirectory {
  defaults: { timeZone: string };
  people: readonly { email: string; name: string; manager?: string | undefined }[];
  groups: readonly { key: string; name: string; members: string[]; managers: string[] }[];
  configurationItems: readonly { key: string; name: string; owner?: string | undefined; criticality: string }[];
  delegations: readonly { from: string; to: string; start: string; end: string }[];
}

/** Someone who decides a step; `onBehalfOf` when they stand in for an approver who is away. */
export interface Approver {
  id: string;
  name: string;
  onBehalfOf?: { id: string; name: string };
}

/** One step of a request's approval, as planned when it was submitted. */
export interface PlannedStep {
  /** Who the step asks: the requester's manager, a group, a person, the owner of a configuration item. */
  kind: StepKind;
  /** The group's, person's or configuration item's name (the manager's step has none). */
  name: string;
  approvers: Approver[];
  /** Approvals that decide the step: 1 for any, all of them, or a quorum. */
  need: number;
  /**
   * Everyone's approval was asked for (`all`): any rejection rejects it, even after an escalation
   * added someone who may approve in place of an approver who stayed silent.
   */
  all?: boolean;
}

export interface Vote {
  approverId: string;
  decision: 'approved' | 'rejected';
}

export type StepKind = 'manager' | 'group' | 'person' | 'owner';

export type StepOutcome = 'approved' | 'rejected' | 'open';

/** The step's approvers who have not voted on it yet (none for no step). */
export function undecidedApprovers<A extends { id: string }>(step: { approvers: readonly A[]; votes: readonly { approverId: string }[] } | undefined): A[] {
  if (!step) return [];
  const voted = new Set(step.votes.map((v) => v.approverId));
  return step.approvers.filter((a) => !voted.has(a.id));
}

/**
 * A step is approved once `need` of its approvers approved, and rejected once that can no longer
 * happen (for `all`, at the first rejection; for any one of three, at the third).
 */
export function stepOutcome(step: Pick<PlannedStep, 'approvers' | 'need' | 'all'>, votes: readonly Vote[]): StepOutcome {
  const mine = new Set(step.approvers.map((a) => a.id));
  const counted = new Map(votes.filter((v) => mine.has(v.approverId)).map((v) => [v.approverId, v.decision]));
  if (step.all && [...counted.values()].includes('rejected')) return 'rejected';
  const approved = [...counted.values()].filter((d) => d === 'approved').length;
  const undecided = step.approvers.length - counted.size;
  if (approved >= step.need) return 'approved';
  return approved + undecided < step.need ? 'rejected' : 'open';
}

export interface PlanningInput {
  config: ApprovalDirectory;
  item: ItemApprovalConfig;
  answers: Readonly<Record<string, string | string[]>>;
  requester: { id: string; email?: string };
  /** The person id of a configured e-mail. */
  personId(email: string): string;
  /** Today in the default time zone, for delegations. */
  on: Date;
}

export type Plan = { ok: true; steps: PlannedStep[] } | { ok: false; step: Pick<PlannedStep, 'kind' | 'name'> };

/**
 * The steps a request of this item needs, given its answers: each step that applies, with its
 * approvers (the requester left out; one away replaced by their delegate). A step with nobody
 * left to decide falls to the item's `escalateTo`, else to the fulfilment group's managers; with
 * neither, the request cannot be routed and the plan says which step.
 */
export function planApproval(input: PlanningInput): Plan {
  const steps: PlannedStep[] = [];
  for (const step of input.item.approval) {
    if (!applies(step, input)) continue;
    const named = approversOf(step, input);
    let approvers = notTheRequester(dedupe(named.emails.filter((e) => input.personId(e) !== input.requester.id).map((e) => standIn(e, input))), input);
    let need = step.need === 'all' ? approvers.length : step.need === 'any' ? 1 : Math.min(step.need, approvers.length);
    let all = step.need === 'all';
    if (approvers.length === 0) {
      approvers = notTheRequester(fallback(input), input);
      need = 1;
      all = false;
    }
    if (approvers.length === 0) return { ok: false, step: { kind: named.kind, name: named.name } };
    steps.push({ kind: named.kind, name: named.name, approvers, need, ...(all ? { all } : {}) });
  }
  return { ok: true, steps };
}

function applies(step: StepConfig, input: PlanningInput): boolean {
  const when = step.when;
  if (!when) return true;
  const answer = input.answers[when.field];
  const values = Array.isArray(answer) ? answer : answer === undefined ? [] : [answer];
  if (when.equals !== undefined) return values.includes(when.equals);
  if (when.oneOf !== undefined) return values.some((v) => when.oneOf?.includes(v));
  if (when.over !== undefined) return values.some((v) => Number(v.replace(/[,_\s]/g, '')) > (when.over as number));
  if (when.itemCriticality !== undefined) {
    return values.some((v) => {
      const item = input.config.configurationItems.find((ci) => ci.key === v);
      return item !== undefined && (when.itemCriticality ?? []).includes(item.criticality);
    });
  }
  return true;
}

function approversOf(step: StepConfig, input: PlanningInput): { kind: StepKind; name: string; emails: string[] } {
  const { config } = input;
  if (step.manager) {
    const requester = config.people.find((p) => p.email.toLowerCase() === input.requester.email?.toLowerCase());
    return { kind: 'manager', name: '', emails: requester?.manager ? [requester.manager] : [] };
  }
  if (step.group) {
    const group = config.groups.find((g) => g.key === step.group);
    return { kind: 'group', name: group?.name ?? step.group, emails: group?.members ?? [] };
  }
  if (step.person) return { kind: 'person', name: nameOf(step.person, input), emails: [step.person] };
  const chosen = input.answers[step.ownerOf ?? ''];
  const key = Array.isArray(chosen) ? chosen[0] : chosen;
  const item = config.configurationItems.find((ci) => ci.key === key);
  return { kind: 'owner', name: item?.name ?? key ?? '?', emails: item?.owner ? [item.owner] : [] };
}

function fallback(input: PlanningInput): Approver[] {
  const { config, item } = input;
  const emails = item.escalateTo ? [item.escalateTo] : (item.fallback ?? config.groups.find((g) => g.key === item.fulfilmentGroup)?.managers ?? []);
  return dedupe(emails.map((e) => standIn(e, input)));
}

/** The approver, or their delegate while they are away. */
function standIn(email: string, input: PlanningInput): Approver {
  const today = DateTime.fromJSDate(input.on, { zone: input.config.defaults.timeZone }).toISODate() ?? '';
  const away = input.config.delegations.find((d) => d.from.toLowerCase() === email.toLowerCase() && d.start <= today && today <= d.end);
  const self = { id: input.personId(email), name: nameOf(email, input) };
  if (!away) return self;
  return { id: input.personId(away.to), name: nameOf(away.to, input), onBehalfOf: self };
}

const nameOf = (email: string, input: PlanningInput) => input.config.people.find((p) => p.email.toLowerCase() === email.toLowerCase())?.name ?? email;

const dedupe = (approvers: Approver[]): Approver[] => [...new Map(approvers.map((a) => [a.id, a])).values()];

/** Nobody decides on their own request: neither as an approver nor as a stand-in, nor through one standing in for them. */
const notTheRequester = (approvers: Approver[], input: PlanningInput): Approver[] =>
  approvers.filter((a) => a.id !== input.requester.id && a.onBehalfOf?.id !== input.requester.id);
