import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ItsmCatalog } from '../../../src/config/itsm-catalog';
import { loadItsmConfig, parseItsmConfig } from '../../../src/config/load-itsm-config';
import { ConfigError } from '../../../src/config/format-config-errors';
import { loadEnv } from '../../../src/config/env';
import { EXAMPLE_CONFIG_PATH, exampleConfigInput } from '../../support/factories';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('ITSM configuration', () => {
  it('loads the shipped example and compiles SLA targets per service', async () => {
    const catalog = new ItsmCatalog(await loadItsmConfig(EXAMPLE_CONFIG_PATH));
    expect(catalog.slaTarget('email', 'P1')).toMatchObject({ respondMinutes: 15, resolveMinutes: 60 });
    expect(catalog.slaTarget('vpn', 'P1')).toMatchObject({ respondMinutes: 15, resolveMinutes: 120 });
    expect(catalog.slaTarget('vpn', 'P3')).toMatchObject({ respondMinutes: 240, resolveMinutes: 3 * 1440 });
    expect(catalog.slaTarget('vpn', 'P2').calendar.timeZone).toBe('Asia/Seoul');
    expect(catalog.slaTarget('vpn', 'P1').calendar.timeZone).toBe('UTC');
    expect(catalog.calendars.get('seoul-office')?.holidays.has('2026-12-25')).toBe(true);
    expect(catalog.groupsOf('SAM.LEE@example.com').sort()).toEqual(['messaging', 'service-desk']);
  });

  it('lists every wrong path and what was expected', () => {
    const input = exampleConfigInput() as Record<string, any>;
    input.services[2].sla = { P1: { resolve: 'soon' } };
    input.calendars[0].timeZone = 'Mars/Olympus';
    input.calendars[0].workingHours.mon = '18:00-09:00';
    input.people[0].email = 'not-an-address';
    delete input.slaPolicies;
    const problems = problemsOf(() => parseItsmConfig(input));
    expect(problems).toEqual(
      expect.arrayContaining([
        'services[2].sla.P1.resolve: expected a duration like "4h"',
        'calendars[0].timeZone: expected an IANA time zone such as "Asia/Seoul"',
        'calendars[0].workingHours.mon: expected working hours like "09:00-18:00" (up to "24:00"), a list of them, or nothing',
        'people[0].email: expected an e-mail address',
        'slaPolicies: is required (expected array)',
      ]),
    );
  });

  it('checks that every key a section refers to is defined (once the shape is right)', () => {
    const input = exampleConfigInput() as Record<string, any>;
    input.services[0].supportGroup = 'nobody';
    input.groups[0].members.push('ghost@example.com');
    input.escalationPolicies[0].levels[0].notify[0] = { onCall: 'no-rota' };
    input.groups.push({ ...input.groups[1] });
    expect(problemsOf(() => parseItsmConfig(input))).toEqual([
      'groups[3].key: duplicate key "messaging" (also groups[1])',
      'groups[0].members[2]: expected the key of a person defined in this file, got "ghost@example.com"',
      'services[0].supportGroup: expected the key of a group defined in this file, got "nobody"',
      'escalationPolicies[0].levels[0].notify[0].onCall: expected the key of an on-call schedule defined in this file, got "no-rota"',
    ]);
  });

  it('names the line of a YAML syntax error, and a missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'opsdesk-config-'));
    const broken = join(dir, 'broken.yml');
    await writeFile(broken, 'calendars:\n  - key: x\n   timeZone: UTC\n');
    await expect(loadItsmConfig(broken)).rejects.toThrow(/line 3/);
    await expect(loadItsmConfig(join(dir, 'missing.yml'))).rejects.toThrow(/file not found/);
  });
});

describe('ITSM configuration mistakes: each one fails the start with one line', () => {
  it('names an unknown key and suggests a known one that is close', () => {
    const input = exampleConfigInput() as Record<string, any>;
    input.calender = [];
    input.calendars[0].workingHours.mno = '09:00-18:00';
    input.slaPolicies[0].targets.P2.resolv = '4h';
    input.people[0].colour = 'blue';
    input.groups[1].escalationPolicyy = 'desk-standard';
    input.services[0].sla.P1.calender = 'seoul-office';
    input.escalationPolicies[0].levels[0].notify[0] = { onCall: 'desk-rota', group: 'service-desk' };
    input.escalationPolicies[0].levels[1].notify[0] = { gruop: 'service-desk' };
    input.catalog[0].approval = 'manger';
    input.catalog[1].approval = { group: 'cab', minimun: 2 };
    input.changeApproval[1].approvers = { grop: 'cab' };
    expect(problemsOf(() => parseItsmConfig(input))).toEqual([
      'calendars[0].workingHours: unknown key "mno" (did you mean "mon"?)',
      'slaPolicies[0].targets.P2: unknown key "resolv" (did you mean "resolve"?)',
      'people[0]: unknown key "colour"',
      'groups[1]: unknown key "escalationPolicyy" (did you mean "escalationPolicy"?)',
      'services[0].sla.P1: unknown key "calender" (did you mean "calendar"?)',
      'escalationPolicies[0].levels[0].notify[0]: expected exactly one of onCall, group or person',
      'escalationPolicies[0].levels[1].notify[0]: unknown key "gruop" (did you mean "group"?)',
      'catalog[0].approval: expected none, manager, one step such as { group, need } or a list of steps',
      'catalog[1].approval[0]: unknown key "minimun" (did you mean "minimum"?)',
      'changeApproval[1].approvers[0]: unknown key "grop" (did you mean "group"?)',
      '(top level): unknown key "calender" (did you mean "calendars"?)',
    ]);
  });

  it('names every duplicate: keys of each section, e-mails of people (in any case), field ids of a catalog item', () => {
    const input = exampleConfigInput() as Record<string, any>;
    input.people.push({ email: 'MINJI.KIM@example.com', name: 'Minji again' });
    input.escalationPolicies.push({ ...input.escalationPolicies[0] });
    input.onCallSchedules.push({ ...input.onCallSchedules[0] });
    input.catalog.push({ ...input.catalog[0] });
    input.catalog[1].fields.push({ id: 'system', label: 'Other system', type: 'text' });
    expect(problemsOf(() => parseItsmConfig(input))).toEqual([
      'people[9].email: duplicate e-mail "MINJI.KIM@example.com" (also people[0])',
      'escalationPolicies[1].key: duplicate key "desk-standard" (also escalationPolicies[0])',
      'onCallSchedules[2].key: duplicate key "desk-rota" (also onCallSchedules[0])',
      'catalog[3].key: duplicate key "laptop" (also catalog[0])',
      'catalog[1].fields[2].id: duplicate field id "system" (also catalog[1].fields[0])',
    ]);
  });

  it("checks a service's SLA override calendar and a group's managers like every other reference", () => {
    const input = exampleConfigInput() as Record<string, any>;
    input.services[0].sla.P1.calendar = 'moon-base';
    input.groups[2].managers = ['ghost@example.com'];
    expect(problemsOf(() => parseItsmConfig(input))).toEqual([
      'groups[2].managers[0]: expected the key of a person defined in this file, got "ghost@example.com"',
      'services[0].sla.P1.calendar: expected the key of a calendar defined in this file, got "moon-base"',
    ]);
  });

  it("keeps a group's managers (e-mails of configured people, in any case; none by default)", () => {
    const input = exampleConfigInput() as Record<string, any>;
    input.groups[0].managers = ['Taylor.Yoon@example.com'];
    const catalog = new ItsmCatalog(parseItsmConfig(input));
    expect(catalog.groups.get('service-desk')?.managers).toEqual(['Taylor.Yoon@example.com']);
    expect(catalog.groups.get('messaging')?.managers).toEqual([]);
  });

  it('treats keys such as "constructor" and "__proto__" like any other key', () => {
    const defined = exampleConfigInput() as Record<string, any>;
    defined.calendars.push({ key: 'constructor', timeZone: 'UTC', workingHours: { mon: '00:00-24:00' } });
    defined.groups.push({ key: 'constructor', name: 'Constructors', members: ['jamie.song@example.com'], managers: ['robin.han@example.com'] });
    defined.services[2].supportGroup = 'constructor';
    defined.services[2].sla = { P4: { calendar: 'constructor' } };
    defined.catalog[0].fields.push({ id: 'toString', label: 'Text', type: 'text' }, { id: 'constructor', label: 'Who builds it', type: 'text' });
    const catalog = new ItsmCatalog(parseItsmConfig(defined));
    expect(catalog.service('laptops').supportGroup).toBe('constructor');
    expect(catalog.groupsOf('jamie.song@example.com')).toEqual(['constructor']);
    expect(catalog.slaTarget('laptops', 'P4').calendarKey).toBe('constructor');

    const undefinedKeys = exampleConfigInput() as Record<string, any>;
    undefinedKeys.services[2].supportGroup = 'constructor';
    undefinedKeys.services[2].sla = { P4: { calendar: 'constructor' } };
    undefinedKeys.groups[0].escalationPolicy = 'constructor';
    Object.defineProperty(undefinedKeys.calendars[0].workingHours, '__proto__', { value: '09:00-10:00', enumerable: true });
    Object.defineProperty(undefinedKeys.groups[1], '__proto__', { value: { key: 'polluted' }, enumerable: true });
    expect(problemsOf(() => parseItsmConfig(undefinedKeys))).toEqual([
      'calendars[0].workingHours: unknown key "__proto__"',
      'groups[1]: unknown key "__proto__"',
      'groups[0].escalationPolicy: expected the key of an escalation policy defined in this file, got "constructor"',
      'services[2].supportGroup: expected the key of a group defined in this file, got "constructor"',
      'services[2].sla.P4.calendar: expected the key of a calendar defined in this file, got "constructor"',
    ]);
    expect(({} as Record<string, unknown>).key).toBeUndefined();
  });
});

describe('environment', () => {
  it('takes defaults for the embedded start', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', OPSDESK_CONFIG: 'opsdesk.example.yml' });
    expect(env.MONGODB_URI).toBeUndefined();
  });

  it('names each wrong variable', () => {
    const problems = problemsOf(() => loadEnv({ PORT: 'eighty', MONGODB_URI: 'postgres://x', LOG_LEVEL: 'loud' }));
    expect(problems).toEqual(
      expect.arrayContaining([
        'PORT: expected a port number',
        'MONGODB_URI: expected a URI starting with mongodb:// or mongodb+srv://',
      ]),
    );
    expect(problems.some((p) => p.startsWith('LOG_LEVEL:'))).toBe(true);
  });

  it('refuses a database name too long to keep the intake beside it (<name>_intake, at most 63 characters)', () => {
    expect(problemsOf(() => loadEnv({ MONGODB_DB: 'd'.repeat(57) }))).toEqual([
      'MONGODB_DB: expected at most 56 characters (opsdesk keeps its intake in a database named after it, with _intake)',
    ]);
    expect(loadEnv({ MONGODB_DB: 'd'.repeat(56) }).MONGODB_DB).toHaveLength(56);
  });

  it('requires the OAuth state secret when OAuth is on, and the client secret with the client id', () => {
    expect(problemsOf(() => loadEnv({ SLACK_CLIENT_ID: '123.456', SLACK_CLIENT_SECRET: 'shh' }))).toEqual([
      'SLACK_STATE_SECRET: required with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (OAuth installs): the same long random text in every process',
    ]);
    expect(problemsOf(() => loadEnv({ SLACK_CLIENT_ID: '123.456' }))).toEqual(['SLACK_CLIENT_SECRET: required with SLACK_CLIENT_ID (OAuth installs)']);
    expect(loadEnv({ SLACK_CLIENT_ID: '123.456', SLACK_CLIENT_SECRET: 'shh', SLACK_STATE_SECRET: 'a long random text' }).SLACK_STATE_SECRET).toBe('a long random text');
  });
});
