import { DateTime } from 'luxon';
import { z } from 'zod';
import { LEVELS, PRIORITIES } from '../domain/priority';
import { ROLES } from '../domain/roles';
import { CHANGE_TYPES } from '../domain/change-lifecycle';
import { parseDurationMinutes } from './duration';

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

const calendar = z.object({
  key,
  timeZone,
  workingHours: z.partialRecord(z.enum(WEEKDAYS), dayHours),
  holidays: z.array(localDate).default([]),
});

const slaTarget = z.object({ respond: duration, resolve: duration, calendar: key.optional() });
const slaTargets = z.object(Object.fromEntries(PRIORITIES.map((p) => [p, slaTarget])) as Record<
  (typeof PRIORITIES)[number],
  typeof slaTarget
>);

const slaPolicy = z.object({
  key,
  calendar: key,
  targets: slaTargets,
  warnAt: z.array(z.number().gt(0).lt(100)).default([50, 75, 90]),
});

const channels = z.object({ slack: z.string().optional(), teams: z.string().optional() }).default({});

const person = z.object({
  email,
  name: z.string().min(1),
  roles: z.array(z.enum(ROLES)).default([]),
  locale: locale.optional(),
  timeZone: timeZone.optional(),
  manager: email.optional(),
  slack: z.string().optional(),
  teams: z.string().optional(),
});

const group = z.object({
  key,
  name: z.string().min(1),
  members: z.array(email).min(1, 'expected at least one member'),
  channels,
  escalationPolicy: key.optional(),
  onCallSchedule: key.optional(),
});

const service = z.object({
  key,
  name: z.string().min(1),
  supportGroup: key,
  slaPolicy: key,
  criticality: z.enum(LEVELS).default('medium'),
  sla: z.partialRecord(z.enum(PRIORITIES), slaTarget.partial()).optional(),
  channels,
});

const CI_TYPES = ['service', 'application', 'server', 'database', 'network', 'storage', 'saas', 'endpoint'] as const;
const configurationItem = z.object({
  key,
  name: z.string().min(1),
  type: z.enum(CI_TYPES),
  service: key,
  owner: email.optional(),
  criticality: z.enum(LEVELS).default('medium'),
  relations: z.array(z.object({ type: z.enum(['depends_on', 'runs_on']), target: key })).default([]),
});

const escalationTarget = z.union([
  z.object({ onCall: key }),
  z.object({ group: key }),
  z.object({ person: email }),
]);
const escalationPolicy = z.object({
  key,
  repeat: z.number().int().min(0).max(10).default(0),
  levels: z
    .array(z.object({ after: delay, notify: z.array(escalationTarget).min(1) }))
    .min(1),
});

const onCallSchedule = z.object({
  key,
  timeZone,
  handoff: z.string().regex(clockTime, 'expected a time like "09:00"'),
  rotation: z.enum(['daily', 'weekly']),
  startsOn: localDate,
  participants: z.array(email).min(1),
  overrides: z
    .array(z.object({ person: email, from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }))
    .default([]),
});

const FIELD_TYPES = ['text', 'long_text', 'select', 'multi_select', 'person', 'datetime'] as const;
const catalogField = z
  .object({
    id: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/, 'expected an identifier'),
    label: z.string().min(1),
    type: z.enum(FIELD_TYPES),
    required: z.boolean().default(false),
    options: z.array(z.string().min(1)).optional(),
  })
  .refine((f) => !['select', 'multi_select'].includes(f.type) || (f.options?.length ?? 0) > 0, {
    message: 'a select field needs options',
    path: ['options'],
  });

const catalogItem = z.object({
  key,
  name: z.string().min(1),
  description: z.string().default(''),
  fulfilmentGroup: key,
  approval: z.union([z.literal('none'), z.literal('manager'), z.object({ group: key, minimum: z.number().int().min(1).default(1) })]),
  resolve: duration.optional(),
  fields: z.array(catalogField).default([]),
});

const changeApprovalRule = z.object({
  type: z.enum(CHANGE_TYPES),
  risk: z.array(z.enum(LEVELS)).optional(),
  approvers: z.union([z.literal('none'), z.object({ group: key, minimum: z.number().int().min(1).default(1) })]),
});

const changeFreeze = z.object({
  name: z.string().min(1),
  from: z.iso.datetime({ offset: true, message: 'expected an instant like "2026-12-20T00:00:00+09:00"' }),
  to: z.iso.datetime({ offset: true, message: 'expected an instant like "2027-01-04T00:00:00+09:00"' }),
  allow: z.array(z.enum(CHANGE_TYPES)).default([]),
});

export const itsmConfigSchema = z
  .object({
    defaults: z.object({ locale: locale.default('en'), timeZone: timeZone.default('UTC') }).prefault({}),
    majorIncidentChannel: channels.optional(),
    calendars: z.array(calendar).min(1),
    priorityMatrix: z
      .object(Object.fromEntries(LEVELS.map((i) => [i, z.object(Object.fromEntries(LEVELS.map((u) => [u, z.enum(PRIORITIES)])))])))
      .optional(),
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
  })
  .superRefine((config, ctx) => {
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
    const unique = (items: readonly { key: string }[], listName: string) => {
      const seen = new Set<string>();
      items.forEach((item, i) => {
        if (seen.has(item.key)) ctx.addIssue({ code: 'custom', path: [listName, i, 'key'], message: `duplicate key "${item.key}"` });
        seen.add(item.key);
      });
    };
    unique(config.calendars, 'calendars');
    unique(config.slaPolicies, 'slaPolicies');
    unique(config.groups, 'groups');
    unique(config.services, 'services');
    unique(config.configurationItems, 'configurationItems');

    config.slaPolicies.forEach((p, i) => {
      need(calendars, p.calendar, ['slaPolicies', i, 'calendar'], 'calendar');
      for (const prio of PRIORITIES) need(calendars, p.targets[prio].calendar, ['slaPolicies', i, 'targets', prio, 'calendar'], 'calendar');
    });
    config.people.forEach((p, i) => need(people, p.manager, ['people', i, 'manager'], 'person'));
    config.groups.forEach((g, i) => {
      g.members.forEach((m, j) => need(people, m, ['groups', i, 'members', j], 'person'));
      need(escalations, g.escalationPolicy, ['groups', i, 'escalationPolicy'], 'escalation policy');
      need(schedules, g.onCallSchedule, ['groups', i, 'onCallSchedule'], 'on-call schedule');
    });
    config.services.forEach((s, i) => {
      need(groups, s.supportGroup, ['services', i, 'supportGroup'], 'group');
      need(policies, s.slaPolicy, ['services', i, 'slaPolicy'], 'SLA policy');
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
      if (typeof c.approval === 'object') need(groups, c.approval.group, ['catalog', i, 'approval', 'group'], 'group');
    });
    config.changeApproval.forEach((r, i) => {
      if (typeof r.approvers === 'object') need(groups, r.approvers.group, ['changeApproval', i, 'approvers', 'group'], 'group');
    });
    config.changeFreezes.forEach((f, i) => {
      if (Date.parse(f.to) <= Date.parse(f.from)) ctx.addIssue({ code: 'custom', path: ['changeFreezes', i, 'to'], message: 'expected an end after "from"' });
    });
  });

export type ItsmConfigInput = z.input<typeof itsmConfigSchema>;
export type ItsmConfig = z.output<typeof itsmConfigSchema>;
