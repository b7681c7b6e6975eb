import { DateTime } from 'luxon';
import { z } from 'zod';
import { LEVELS, PRIORITIES } from '../domain/priority';
import { ROLES } from '../domain/roles';
import { CHANGE_TYPES } from '../domain/change-lifecycle';
import { parseDurationMinutes } from './duration';
import { formatPath, rejectUnknownKeys } from './format-config-errors';

/** An object that rejects a key it does not know (a misspelt optional key would be ignored). */
const strictObject = <Shape extends z.core.$ZodLooseShape>(shape: Shape) =>
  z.strictObject(shape, { error: rejectUnknownKeys(Object.keys(shape)) });

/**
 * Some of a fixed set of keys, each with a value of one schema (an unknown key is rejected with a
 * suggestion; an object rather than zod's record, which drops a "__proto__" key without a word).
 */
const someOf = <const Keys extends readonly string[], Value extends z.ZodType>(keys: Keys, value: Value) =>
  strictObject(Object.fromEntries(keys.map((k) => [k, value.optional()])) as { [K in Keys[number]]: z.ZodOptional<Value> });

const key = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected a key of lower-case letters, digits, - and _');
const email = z.email('expected an e-mail address');
const locale = z.enum(['en', 'ko'], { message: 'expected a supported locale: en or ko' });

const timeZone = z.string().refine((zone) => DateTime.local().setZone(zone).isValid, {
  message: 'expected an IANA time zone such as "Asia/Seoul"',
});

const durationAtLeast = (least: number) =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    const minutes = parseDurationMinutes(String(value));
    if (minutes === null || minutes < least) {
      ctx.addIssue({ code: 'custom', message: 'expected a duration like "4h"' });
      return z.NEVER;
    }
    return minutes;
  });
/** "4h" → 240 (minutes). */
export const duration = durationAtLeast(1);
const delay = durationAtLeast(0);

const localDate = z.union([z.string(), z.date()]).transform((value, ctx) => {
  // YAML reads 2026-12-25 as a Date at UTC midnight; either way we keep the calendar date.
  const text = value instanceof Date ? value.toISOString().slice(0, 10) : value;
  if (!DateTime.fromISO(text).isValid || !/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    ctx.addIssue({ code: 'custom', message: 'expected a date like "2026-12-25"' });
    return z.NEVER;
  }
  return text;
});

const clockTime = /^([01]\d|2[0-3]):[0-5]\d$/;
const WINDOW_EXPECTED = 'expected working hours like "09:00-18:00" (up to "24:00"), a list of them, or nothing';

function parseWindow(text: unknown): readonly [number, number] | null {
  const match = typeof text === 'string' ? /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(text.trim()) : null;
  if (!match || Number(match[2]) > 59 || Number(match[4]) > 59) return null;
  const from = Number(match[1]) * 60 + Number(match[2]);
  const to = Number(match[3]) * 60 + Number(match[4]);
  return from < to && to <= 1440 ? [from, to] : null;
}

/** One day's working hours: "09:00-18:00", ["09:00-12:00", "13:00-18:00"], or null for none. */
const dayHours = z.unknown().transform((value, ctx) => {
  if (value === null || value === undefined) return [];
  const windows = (Array.isArray(value) ? value : [value]).map(parseWindow);
  if (windows.some((w) => w === null)) {
    ctx.addIssue({ code: 'custom', message: WINDOW_EXPECTED });
    return z.NEVER;
  }
  return windows as (readonly [number, number])[];
});

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const calendar = strictObject({
  key,
  timeZone,
  workingHours: someOf(WEEKDAYS, dayHours),
  holidays: z.array(localDate).default([]),
});

const slaTarget = strictObject({ respond: duration, resolve: duration, calendar: key.optional() });
const slaTargets = strictObject(Object.fromEntries(PRIORITIES.map((p) => [p, slaTarget])) as Record<
  (typeof PRIORITIES)[number],
  typeof slaTarget
>);

const slaPolicy = strictObject({
  key,
  calendar: key,
  targets: slaTargets,
  warnAt: z.array(z.number().gt(0).lt(100)).default([50, 75, 90]),
});

const channels = strictObject({ slack: z.string().optional(), teams: z.string().optional() }).default({});

const person = strictObject({
  email,
  name: z.string().min(1),
  roles: z.array(z.enum(ROLES)).default([]),
  locale: locale.optional(),
  timeZone: timeZone.optional(),
  manager: email.optional(),
  slack: z.string().optional(),
  teams: z.string().optional(),
});

const group = strictObject({
  key,
  name: z.string().min(1),
  members: z.array(email).min(1, 'expected at least one member'),
  /** People (not necessarily members) who may act on any incident of the group. */
  managers: z.array(email).default([]),
  channels,
  escalationPolicy: key.optional(),
  onCallSchedule: key.optional(),
});

const service = strictObject({
  key,
  name: z.string().min(1),
  supportGroup: key,
  slaPolicy: key,
  criticality: z.enum(LEVELS).default('medium'),
  sla: someOf(PRIORITIES, slaTarget.partial()).optional(),
  channels,
});

const CI_TYPES = ['service', 'application', 'server', 'database', 'network', 'storage', 'saas', 'endpoint'] as const;
const configurationItem = strictObject({
  key,
  name: z.string().min(1),
  type: z.enum(CI_TYPES),
  service: key,
  owner: email.optional(),
  criticality: z.enum(LEVELS).default('medium'),
  relations: z.array(strictObject({ type: z.enum(['depends_on', 'runs_on']), target: key })).default([]),
});

type EscalationTarget = { onCall: string } | { group: string } | { person: string };
// One object rather than a union of three, so a misspelt key is named rather than "Invalid input".
const escalationTarget = strictObject({ onCall: key.optional(), group: key.optional(), person: email.optional() })
  .refine((t) => [t.onCall, t.group, t.person].filter((v) => v !== undefined).length === 1, {
    message: 'expected exactly one of onCall, group or person',
    when: (payload) => payload.issues.length === 0,
  })
  .transform((t): EscalationTarget => (t.onCall !== undefined ? { onCall: t.onCall } : t.group !== undefined ? { group: t.group } : { person: t.person ?? '' }));
const escalationPolicy = strictObject({
  key,
  repeat: z.number().int().min(0).max(10).default(0),
  levels: z
    .array(strictObject({ after: delay, notify: z.array(escalationTarget).min(1) }))
    .min(1),
});

const onCallSchedule = strictObject({
  key,
  timeZone,
  handoff: z.string().regex(clockTime, 'expected a time like "09:00"'),
  rotation: z.enum(['daily', 'weekly']),
  startsOn: localDate,
  participants: z.array(email).min(1),
  overrides: z
    .array(strictObject({ person: email, from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }))
    .default([]),
});

const FIELD_TYPES = ['text', 'long_text', 'select', 'multi_select', 'person', 'datetime', 'number', 'configuration_item'] as const;
const catalogField = strictObject({
  id: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/, 'expected an identifier'),
  label: z.string().min(1),
  type: z.enum(FIELD_TYPES),
  required: z.boolean().default(false),
  options: z.array(z.string().min(1)).optional(),
}).refine((f) => !['select', 'multi_select'].includes(f.type) || (f.options?.length ?? 0) > 0, {
  message: 'a select field needs options',
  path: ['options'],
});

const fieldId = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/, 'expected an identifier');

/** When a step applies: one comparison of one of the form's answers. */
const approvalCondition = strictObject({
  field: fieldId,
  equals: z.string().optional(),
  oneOf: z.array(z.string()).min(1).optional(),
  /** A number typed in the field is over this (2000000 KRW). */
  over: z.number().optional(),
  /** The configuration item chosen in the field is this critical. */
  itemCriticality: z.array(z.enum(LEVELS)).min(1).optional(),
}).refine((c) => [c.equals, c.oneOf, c.over, c.itemCriticality].filter((v) => v !== undefined).length === 1, {
  message: 'expected exactly one of equals, oneOf, over or itemCriticality',
  when: (payload) => payload.issues.length === 0,
});

/**
 * One step of an approval: who decides (the requester's manager, a group, a person, the owner of
 * the configuration item chosen in a field), how many of them must approve (`any`, `all`, or a
 * quorum), and when it applies. Steps are decided in order.
 */
const approvalStep = strictObject({
  manager: z.literal(true).optional(),
  group: key.optional(),
  person: email.optional(),
  ownerOf: fieldId.optional(),
  need: z.union([z.enum(['any', 'all']), z.number().int().min(1)], { error: 'expected any, all or a number of approvals' }).optional(),
  /** The older spelling of a group's quorum: `{ group, minimum }`. */
  minimum: z.number().int().min(1).optional(),
  when: approvalCondition.optional(),
})
  .refine((s) => [s.manager, s.group, s.person, s.ownerOf].filter((v) => v !== undefined).length === 1, {
    message: 'expected exactly one of manager, group, person or ownerOf',
    when: (payload) => payload.issues.length === 0,
  })
  .transform(({ minimum, need, ...step }) => ({ ...step, need: need ?? minimum ?? ('any' as const) }));

/** `none`, `manager`, one step, or a list of steps in order. */
const approvalRule = z.preprocess(
  (value) => (value === 'none' ? [] : value === 'manager' ? [{ manager: true }] : value !== null && typeof value === 'object' && !Array.isArray(value) ? [value] : value),
  z.array(approvalStep, { error: 'expected none, manager, one step such as { group, need } or a list of steps' }),
);

const fulfilmentTask = strictObject({
  name: z.string().min(1),
  /** Default: the item's fulfilment group. */
  group: key.optional(),
  /** Starts together with the task before it, instead of after it. */
  parallel: z.boolean().default(false),
});

const catalogItem = strictObject({
  key,
  name: z.string().min(1),
  description: z.string().default(''),
  category: z.string().min(1).default('General'),
  fulfilmentGroup: key,
  approval: approvalRule.default([]),
  /** An approver who has not decided by then is reminded; at twice this, `escalateTo` is asked too. */
  approvalDeadline: duration.optional(),
  escalateTo: email.optional(),
  tasks: z.array(fulfilmentTask).default([]),
  /** The request's priority: it picks the respond and fulfil times of the SLA policy. */
  priority: z.enum(PRIORITIES).default('P4'),
  /** Default: the first SLA policy. */
  slaPolicy: key.optional(),
  /** Overrides of the policy's respond and fulfil (resolve) times for this item. */
  respond: duration.optional(),
  resolve: duration.optional(),
  fields: z.array(catalogField).default([]),
});

/** Someone away, whose approvals go to another person meanwhile (dates inclusive, in the default zone). */
const delegation = strictObject({ from: email, to: email, start: localDate, end: localDate });

/** Who approves a change of this type (and risk): the first rule that matches applies. */
const changeApprovalRule = strictObject({
  type: z.enum(CHANGE_TYPES),
  risk: z.array(z.enum(LEVELS)).optional(),
  approvers: approvalRule,
  /** An approver who has not voted by then is reminded, once (an emergency's is short); at twice this, `escalateTo` is asked too. */
  deadline: duration.optional(),
  escalateTo: email.optional(),
});

const changeFreeze = strictObject({
  name: z.string().min(1),
  from: z.iso.datetime({ offset: true, message: 'expected an instant like "2026-12-20T00:00:00+09:00"' }),
  to: z.iso.datetime({ offset: true, message: 'expected an instant like "2027-01-04T00:00:00+09:00"' }),
  allow: z.array(z.enum(CHANGE_TYPES)).default([]),
});

const priorityRow = strictObject(Object.fromEntries(LEVELS.map((urgency) => [urgency, z.enum(PRIORITIES)])));

export const itsmConfigSchema = strictObject({
  defaults: strictObject({ locale: locale.default('en'), timeZone: timeZone.default('UTC') }).prefault({}),
  majorIncidentChannel: channels.optional(),
  calendars: z.array(calendar).min(1),
  /** impact → urgency → priority */
  priorityMatrix: strictObject(Object.fromEntries(LEVELS.map((impact) => [impact, priorityRow]))).optional(),
  slaPolicies: z.array(slaPolicy).min(1),
  people: z.array(person).default([]),
  groups: z.array(group).min(1),
  services: z.array(service).min(1),
  configurationItems: z.array(configurationItem).default([]),
  escalationPolicies: z.array(escalationPolicy).default([]),
  onCallSchedules: z.array(onCallSchedule).default([]),
  catalog: z.array(catalogItem).default([]),
  changeApproval: z.array(changeApprovalRule).default([]),
  changeFreezes: z.array(changeFreeze).default([]),
  delegations: z.array(delegation).default([]),
})
  .superRefine((config, ctx) => {
    // Sets, not plain objects: a key such as "constructor" must not find Object.prototype's.
    const keysOf = (items: readonly { key: string }[]) => new Set(items.map((i) => i.key));
    const calendars = keysOf(config.calendars);
    const policies = keysOf(config.slaPolicies);
    const groups = keysOf(config.groups);
    const services = keysOf(config.services);
    const cis = keysOf(config.configurationItems);
    const escalations = keysOf(config.escalationPolicies);
    const schedules = keysOf(config.onCallSchedules);
    const people = new Set(config.people.map((p) => p.email.toLowerCase()));

    const need = (known: Set<string>, value: string | undefined, path: PropertyKey[], what: string) => {
      if (value !== undefined && !known.has(value) && !known.has(value.toLowerCase())) {
        ctx.addIssue({ code: 'custom', path, message: `expected the key of ${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what} defined in this file, got "${value}"` });
      }
    };
    /** Reports the second and later entries of the same identity: `path: duplicate … (also <first>)`. */
    const unique = <T>(items: readonly T[], identity: (item: T) => string, path: (i: number) => PropertyKey[], what: (item: T) => string) => {
      const first = new Map<string, number>();
      items.forEach((item, i) => {
        const id = identity(item);
        const earlier = first.get(id);
        if (earlier === undefined) first.set(id, i);
        else ctx.addIssue({ code: 'custom', path: path(i), message: `duplicate ${what(item)} (also ${formatPath(path(earlier).slice(0, -1))})` });
      });
    };
    const uniqueKeys = (items: readonly { key: string }[], listName: string) =>
      unique(items, (item) => item.key, (i) => [listName, i, 'key'], (item) => `key "${item.key}"`);
    uniqueKeys(config.calendars, 'calendars');
    uniqueKeys(config.slaPolicies, 'slaPolicies');
    unique(config.people, (p) => p.email.toLowerCase(), (i) => ['people', i, 'email'], (p) => `e-mail "${p.email}"`);
    uniqueKeys(config.groups, 'groups');
    uniqueKeys(config.services, 'services');
    uniqueKeys(config.configurationItems, 'configurationItems');
    uniqueKeys(config.escalationPolicies, 'escalationPolicies');
    uniqueKeys(config.onCallSchedules, 'onCallSchedules');
    uniqueKeys(config.catalog, 'catalog');
    config.catalog.forEach((c, i) => unique(c.fields, (f) => f.id, (j) => ['catalog', i, 'fields', j, 'id'], (f) => `field id "${f.id}"`));

    config.slaPolicies.forEach((p, i) => {
      need(calendars, p.calendar, ['slaPolicies', i, 'calendar'], 'calendar');
      for (const prio of PRIORITIES) need(calendars, p.targets[prio].calendar, ['slaPolicies', i, 'targets', prio, 'calendar'], 'calendar');
    });
    config.people.forEach((p, i) => need(people, p.manager, ['people', i, 'manager'], 'person'));
    config.groups.forEach((g, i) => {
      g.members.forEach((m, j) => need(people, m, ['groups', i, 'members', j], 'person'));
      g.managers.forEach((m, j) => need(people, m, ['groups', i, 'managers', j], 'person'));
      need(escalations, g.escalationPolicy, ['groups', i, 'escalationPolicy'], 'escalation policy');
      need(schedules, g.onCallSchedule, ['groups', i, 'onCallSchedule'], 'on-call schedule');
    });
    config.services.forEach((s, i) => {
      need(groups, s.supportGroup, ['services', i, 'supportGroup'], 'group');
      need(policies, s.slaPolicy, ['services', i, 'slaPolicy'], 'SLA policy');
      for (const prio of PRIORITIES) need(calendars, s.sla?.[prio]?.calendar, ['services', i, 'sla', prio, 'calendar'], 'calendar');
    });
    config.configurationItems.forEach((c, i) => {
      need(services, c.service, ['configurationItems', i, 'service'], 'service');
      need(people, c.owner, ['configurationItems', i, 'owner'], 'person');
      c.relations.forEach((r, j) => need(cis, r.target, ['configurationItems', i, 'relations', j, 'target'], 'configuration item'));
    });
    config.escalationPolicies.forEach((p, i) =>
      p.levels.forEach((l, j) =>
        l.notify.forEach((t, k) => {
          const path = ['escalationPolicies', i, 'levels', j, 'notify', k];
          if ('onCall' in t) need(schedules, t.onCall, [...path, 'onCall'], 'on-call schedule');
          if ('group' in t) need(groups, t.group, [...path, 'group'], 'group');
          if ('person' in t) need(people, t.person, [...path, 'person'], 'person');
        }),
      ),
    );
    config.onCallSchedules.forEach((s, i) => {
      s.participants.forEach((p, j) => need(people, p, ['onCallSchedules', i, 'participants', j], 'person'));
      s.overrides.forEach((o, j) => need(people, o.person, ['onCallSchedules', i, 'overrides', j, 'person'], 'person'));
    });
    config.catalog.forEach((c, i) => {
      need(groups, c.fulfilmentGroup, ['catalog', i, 'fulfilmentGroup'], 'group');
      need(policies, c.slaPolicy, ['catalog', i, 'slaPolicy'], 'SLA policy');
      const fields = new Set(c.fields.map((f) => f.id));
      const field = (id: string | undefined, path: PropertyKey[]) => {
        if (id !== undefined && !fields.has(id)) ctx.addIssue({ code: 'custom', path, message: `expected the id of one of this item's fields, got "${id}"` });
      };
      c.approval.forEach((step, j) => {
        const path = ['catalog', i, 'approval', j];
        need(groups, step.group, [...path, 'group'], 'group');
        need(people, step.person, [...path, 'person'], 'person');
        field(step.ownerOf, [...path, 'ownerOf']);
        field(step.when?.field, [...path, 'when', 'field']);
      });
      c.tasks.forEach((task, j) => need(groups, task.group, ['catalog', i, 'tasks', j, 'group'], 'group'));
      need(people, c.escalateTo, ['catalog', i, 'escalateTo'], 'person');
    });
    config.delegations.forEach((d, i) => {
      need(people, d.from, ['delegations', i, 'from'], 'person');
      need(people, d.to, ['delegations', i, 'to'], 'person');
      if (d.end < d.start) ctx.addIssue({ code: 'custom', path: ['delegations', i, 'end'], message: 'expected an end on or after "start"' });
    });
    config.changeApproval.forEach((r, i) => {
      need(people, r.escalateTo, ['changeApproval', i, 'escalateTo'], 'person');
      r.approvers.forEach((step, j) => {
        need(groups, step.group, ['changeApproval', i, 'approvers', j, 'group'], 'group');
        need(people, step.person, ['changeApproval', i, 'approvers', j, 'person'], 'person');
        if (step.ownerOf !== undefined || step.when !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['changeApproval', i, 'approvers', j], message: 'a change approval step is the manager, a group or a person (ownerOf and when are for catalog items)' });
        }
      });
    });
    config.changeFreezes.forEach((f, i) => {
      if (Date.parse(f.to) <= Date.parse(f.from)) ctx.addIssue({ code: 'custom', path: ['changeFreezes', i, 'to'], message: 'expected an end after "from"' });
    });
  });

export type ItsmConfigInput = z.input<typeof itsmConfigSchema>;
export type ItsmConfig = z.output<typeof itsmConfigSchema>;
