import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * The layer rules of `.dependency-cruiser.cjs` fail when broken: for each rule, one probe file
 * that breaks exactly that rule is added to a scratch copy of the checked folders, and the
 * dependency-cruiser step of `npm run lint` (as package.json has it) must fail naming that rule,
 * and only that rule. The unmodified copy must pass.
 */
const ROOT = join(__dirname, '..', '..');
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

/** `depcruise --config .dependency-cruiser.cjs src handlers adapters jobs`, from the lint script. */
function lintCruiseArgs(): string[] {
  const lint = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.lint ?? '';
  const step = lint.split('&&').map((s) => s.trim()).find((s) => s.startsWith('depcruise '));
  if (!step) throw new Error(`no depcruise step in the lint script: ${lint}`);
  return step.split(/\s+/).slice(1);
}

const ARGS = lintCruiseArgs();
const CONFIG = ARGS[ARGS.indexOf('--config') + 1]!;
const FOLDERS = ARGS.filter((arg, i) => !arg.startsWith('-') && ARGS[i - 1] !== '--config');

interface Probe {
  rule: string;
  what: string;
  file: string;
  source: string;
}

const PROBES: Probe[] = [
  {
    rule: 'adapters-reach-storage-through-services',
    what: 'an adapter importing a model',
    file: 'adapters/slack/layer-probe.ts',
    source: "import { incidentSchema } from '../../src/models/incident.model';\nexport const probe = incidentSchema;\n",
  },
  {
    rule: 'adapters-hold-no-storage-handle',
    what: 'an adapter importing mongoose',
    file: 'adapters/slack/layer-probe.ts',
    source: "import { Types } from 'mongoose';\nexport const probe = Types;\n",
  },
  {
    rule: 'adapters-hold-no-storage-handle',
    what: "an adapter importing mongoose's Model type only",
    file: 'adapters/slack/layer-probe.ts',
    source: "import type { Model } from 'mongoose';\nexport type Probe = Model<{ _id: string }>;\n",
  },
  {
    rule: 'jobs-do-not-call-handlers',
    what: 'a job importing a handler',
    file: 'jobs/layer-probe.ts',
    source: "import { declinePage } from '../handlers/incident/decline-page';\nexport const probe = declinePage;\n",
  },
  {
    rule: 'handlers-query-through-services',
    what: 'a handler importing a model value',
    file: 'handlers/incident/layer-probe.ts',
    source: "import { incidentSchema } from '../../src/models/incident.model';\nexport const probe = incidentSchema;\n",
  },
  {
    rule: 'domain-imports-no-node-builtins',
    what: 'the domain importing node:fs/promises',
    file: 'src/domain/layer-probe.ts',
    source: "import { readFile } from 'node:fs/promises';\nexport const probe = readFile;\n",
  },
  {
    rule: 'domain-imports-no-node-builtins',
    what: 'the domain importing node:worker_threads',
    file: 'src/domain/layer-probe.ts',
    source: "import { Worker } from 'node:worker_threads';\nexport const probe = Worker;\n",
  },
  {
    rule: 'domain-imports-no-node-builtins',
    what: 'the domain importing dns',
    file: 'src/domain/layer-probe.ts',
    source: "import { lookup } from 'dns';\nexport const probe = lookup;\n",
  },
  {
    rule: 'domain-has-no-io',
    what: 'the domain importing mongoose',
    file: 'src/domain/layer-probe.ts',
    source: "import { Schema } from 'mongoose';\nexport const probe = Schema;\n",
  },
  {
    rule: 'core-knows-no-platform',
    what: 'a handler importing a chat SDK',
    file: 'handlers/incident/layer-probe.ts',
    source: "import { WebClient } from '@slack/web-api';\nexport const probe = WebClient;\n",
  },
  {
    rule: 'adapters-stay-apart',
    what: "one platform's adapter reaching into another's",
    file: 'adapters/teams/layer-probe.ts',
    source: "import { SLACK_EVENTS } from '../slack/slack-ids';\nexport const probe = SLACK_EVENTS;\n",
  },
  {
    rule: 'handlers-not-from-services',
    what: 'a service calling a handler',
    file: 'src/services/layer-probe.ts',
    source: "import { HELP_IDS } from '../../handlers/help/show-help';\nexport const probe = HELP_IDS;\n",
  },
  {
    rule: 'jobs-wired-by-the-composition-root',
    what: 'a handler reaching into jobs',
    file: 'handlers/incident/layer-probe.ts',
    source: "import { PURGE_TIMER } from '../../jobs/maintenance/purge-expired';\nexport const probe = PURGE_TIMER;\n",
  },
  {
    rule: 'no-circular',
    what: 'a module importing itself',
    file: 'src/i18n/layer-probe.ts',
    source: "import * as self from './layer-probe';\nexport const probe = 1;\nexport const again = self;\n",
  },
];

/** `  error <rule>: <from> → <to>` lines of dependency-cruiser's default (err) output. */
const violatedRules = (output: string) => [...new Set([...output.matchAll(/^\s*error ([\w-]+): /gm)].map((m) => m[1]!))].sort();

describe('layer rules (dependency-cruiser, as `npm run lint` runs it)', () => {
  let scratch: string;

  const cruise = () => {
    const run = spawnSync(process.execPath, [DEPCRUISE, ...ARGS], { cwd: scratch, encoding: 'utf8' });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  };

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'opsdesk-layer-rules-'));
    for (const entry of [...FOLDERS, CONFIG, 'tsconfig.json', 'package.json']) cpSync(join(ROOT, entry), join(scratch, entry), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(scratch, 'node_modules'), 'dir');
  });
  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('checks the folders the lint script names', () => {
    expect(FOLDERS).toEqual(expect.arrayContaining(['src', 'handlers', 'adapters', 'jobs']));
  });

  it('passes the code as it is', () => {
    const { status, output } = cruise();
    expect(violatedRules(output)).toEqual([]);
    expect(status).toBe(0);
  }, 60_000);

  it.each(PROBES)('fails $rule on $what', ({ rule, file, source }) => {
    const path = join(scratch, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, source);
    try {
      const { status, output } = cruise();
      expect(status).not.toBe(0);
      expect(violatedRules(output)).toEqual([rule]);
      expect(output).toContain(`error ${rule}: ${file} → `);
    } finally {
      rmSync(path, { force: true });
    }
  }, 60_000);
});
