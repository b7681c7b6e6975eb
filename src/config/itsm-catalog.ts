import type { BusinessCalendar, WorkingWindow } from '../domain/business-clock';
import type { OnCallSchedule } from '../domain/on-call';
import { DEFAULT_PRIORITY_MATRIX, PRIORITIES, type Priority, type PriorityMatrix } from '../domain/priority';
import type { SlaTarget, SlaTargets } from '../domain/sla';
import { DomainError } from '../domain/domain-error';
import { WEEKDAYS, type ItsmConfig } from './itsm-config-schema';

export type ServiceConfig = ItsmConfig['services'][number];
export type GroupConfig = ItsmConfig['groups'][number];
export type PersonConfig = ItsmConfig['people'][number];
export type EscalationPolicyConfig = ItsmConfig['escalationPolicies'][number];
export type CatalogItemConfig = ItsmConfig['catalog'][number];

/** A request's SLA: the times it is held to, and the warnings before them. */
export interface RequestSla {
  target: SlaTarget;
  warnAt: readonly number[];
}

/**
 * The validated configuration turned into what the rules need: calendars as BusinessCalendars,
 * SLA targets per service and priority, and lookups by key.
 */
export class ItsmCatalog {
  readonly priorityMatrix: PriorityMatrix;
  readonly calendars: ReadonlyMap<string, BusinessCalendar>;
  readonly services: ReadonlyMap<string, ServiceConfig>;
  readonly groups: ReadonlyMap<string, GroupConfig>;
  readonly people: ReadonlyMap<string, PersonConfig>;
  readonly onCallSchedules: ReadonlyMap<string, OnCallSchedule>;
  private readonly slaByService = new Map<string, SlaTargets>();
  private readonly slaByCatalogItem = new Map<string, RequestSla>();

  constructor(readonly config: ItsmConfig) {
    this.priorityMatrix = (config.priorityMatrix as PriorityMatrix | undefined) ?? DEFAULT_PRIORITY_MATRIX;
    this.calendars = new Map(config.calendars.map((c) => [c.key, toBusinessCalendar(c)]));
    this.services = new Map(config.services.map((s) => [s.key, s]));
    this.groups = new Map(config.groups.map((g) => [g.key, g]));
    this.people = new Map(config.people.map((p) => [p.email.toLowerCase(), p]));
    for (const service of config.services) this.slaByService.set(service.key, this.compileSla(service));
    for (const item of config.catalog) this.slaByCatalogItem.set(item.key, this.compileRequestSla(item));
    this.onCallSchedules = new Map(config.onCallSchedules.map((s) => [s.key, toOnCallSchedule(s)]));
  }

  service(key: string): ServiceConfig {
    const service = this.services.get(key);
    if (!service) throw new DomainError('SERVICE.UNKNOWN', { service: key }, 'service');
    return service;
  }

  slaTarget(serviceKey: string, priority: Priority): SlaTarget {
    const targets = this.slaByService.get(serviceKey);
    if (!targets) throw new DomainError('SERVICE.UNKNOWN', { service: serviceKey }, 'service');
    return targets[priority];
  }

  /** A catalog item's request SLA: its priority's respond and fulfil times, the item's own overrides first. */
  requestSla(itemKey: string): RequestSla {
    const sla = this.slaByCatalogItem.get(itemKey);
    if (!sla) throw new DomainError('CATALOG.UNKNOWN', { item: itemKey });
    return sla;
  }

  /** Where a service's cards go on a platform: the service's own channel, else its support group's. */
  channelFor(serviceKey: string, platform: 'slack' | 'teams'): string | undefined {
    const service = this.services.get(serviceKey);
    return service?.channels[platform] ?? this.groups.get(service?.supportGroup ?? '')?.channels[platform];
  }

  /** The chat platforms the configuration reaches people on (a channel, or a person's user, on it). */
  platformsInUse(): string[] {
    const { config } = this;
    const used = new Set<string>();
    for (const channels of [...config.groups.map((g) => g.channels), ...config.services.map((s) => s.channels), config.majorIncidentChannel ?? {}]) {
      for (const [platform, channel] of Object.entries(channels)) if (channel) used.add(platform);
    }
    for (const person of config.people) {
      if (person.slack) used.add('slack');
      if (person.teams) used.add('teams');
    }
    return [...used].sort();
  }

  /** The SLA warning percentages of a service's policy (the breach at 100 % comes on top). */
  warnThresholds(serviceKey: string): number[] {
    const policy = this.config.slaPolicies.find((p) => p.key === this.service(serviceKey).slaPolicy);
    return policy?.warnAt ?? [];
  }

  escalationPolicyOf(groupKey: string): EscalationPolicyConfig | undefined {
    const key = this.groups.get(groupKey)?.escalationPolicy;
    return key ? this.config.escalationPolicies.find((p) => p.key === key) : undefined;
  }

  onCallScheduleOf(groupKey: string): OnCallSchedule | undefined {
    const key = this.groups.get(groupKey)?.onCallSchedule;
    return key ? this.onCallSchedules.get(key) : undefined;
  }

  /** Whether the person (`email:<address>`) is a member of the group. */
  isMember(group: string, personId: string): boolean {
    return this.groups.get(group)?.members.some((m) => `email:${m.toLowerCase()}` === personId.toLowerCase()) ?? false;
  }

  groupsOf(email: string): string[] {
    const lower = email.toLowerCase();
    return this.config.groups.filter((g) => g.members.some((m) => m.toLowerCase() === lower)).map((g) => g.key);
  }

  private compileRequestSla(item: CatalogItemConfig): RequestSla {
    const policy = this.config.slaPolicies.find((p) => p.key === (item.slaPolicy ?? this.config.slaPolicies[0]?.key));
    if (!policy) throw new Error(`catalog item ${item.key}: unknown SLA policy ${item.slaPolicy}`);
    const base = policy.targets[item.priority];
    const calendarKey = base.calendar ?? policy.calendar;
    const calendar = this.calendars.get(calendarKey);
    if (!calendar) throw new Error(`catalog item ${item.key}: unknown calendar ${calendarKey}`);
    return {
      target: { respondMinutes: item.respond ?? base.respond, resolveMinutes: item.resolve ?? base.resolve, calendar, calendarKey },
      warnAt: policy.warnAt,
    };
  }

  private compileSla(service: ServiceConfig): SlaTargets {
    const policy = this.config.slaPolicies.find((p) => p.key === service.slaPolicy);
    if (!policy) throw new Error(`service ${service.key}: unknown SLA policy ${service.slaPolicy}`);
    const entries = PRIORITIES.map((priority) => {
      const base = policy.targets[priority];
      const override = service.sla?.[priority] ?? {};
      const calendarKey = override.calendar ?? base.calendar ?? policy.calendar;
      const calendar = this.calendars.get(calendarKey);
      if (!calendar) throw new Error(`service ${service.key}: unknown calendar ${calendarKey}`);
      const target: SlaTarget = {
        respondMinutes: override.respond ?? base.respond,
        resolveMinutes: override.resolve ?? base.resolve,
        calendar,
        calendarKey,
      };
      return [priority, target] as const;
    });
    return Object.fromEntries(entries) as SlaTargets;
  }
}

function toBusinessCalendar(calendar: ItsmConfig['calendars'][number]): BusinessCalendar {
  const week: Record<number, readonly WorkingWindow[]> = {};
  WEEKDAYS.forEach((day, index) => {
    week[index + 1] = (calendar.workingHours[day] ?? []) as WorkingWindow[];
  });
  return { timeZone: calendar.timeZone, week, holidays: new Set(calendar.holidays) };
}

function toOnCallSchedule(schedule: ItsmConfig['onCallSchedules'][number]): OnCallSchedule {
  return {
    timeZone: schedule.timeZone,
    handoff: schedule.handoff,
    rotation: schedule.rotation,
    startsOn: schedule.startsOn,
    participants: schedule.participants.map((p) => p.toLowerCase()),
    overrides: schedule.overrides.map((o) => ({ person: o.person.toLowerCase(), from: new Date(o.from), to: new Date(o.to) })),
  };
}
