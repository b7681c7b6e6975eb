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
      'groups[3].key: duplicate key "messaging"',
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
});
