import type { z } from 'zod';

/** `services[2].sla.P1.resolve` from zod's path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(top level)';
}

/** Edits (insert, delete or replace a letter, swap two neighbours) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  // rows[i][j]: the distance between the first i letters of a and the first j of b.
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number) => rows[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const swapped = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1];
      (rows[i] as number[])[j] = Math.min(
        at(i - 1, j) + 1,
        at(i, j - 1) + 1,
        at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1),
        swapped ? at(i - 2, j - 2) + 1 : Infinity,
      );
    }
  }
  return at(a.length, b.length);
}

/**
 * The known key an unknown one was probably meant to be: the same but for case, - and _, or for a
 * letter or two (one in a key of three to seven letters, two in a longer one, none in a shorter).
 */
export function closestKey(unknown: string, known: readonly string[]): string | undefined {
  const plain = (text: string) => text.toLowerCase().replace(/[-_]/g, '');
  const most = unknown.length < 3 ? 0 : unknown.length < 8 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    if (candidate === unknown) continue;
    const distance = editDistance(plain(unknown), plain(candidate));
    if (distance <= most && distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/** `unknown key "escalationPolicyy" (did you mean "escalationPolicy"?)` */
export function unknownKeyMessage(unknown: string, known: readonly string[] = []): string {
  const suggestion = closestKey(unknown, known);
  return `unknown key "${unknown}"${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}`;
}

/**
 * The `error` option of a strict object or a record with fixed keys, given its keys: its message
 * for unknown keys has a line per key, each suggesting a close known key (zod's issue does not say
 * which keys were expected). formatIssues makes each line a problem of its own.
 */
export function rejectUnknownKeys(known: readonly string[]) {
  return (issue: z.core.$ZodRawIssue): string | undefined =>
    issue.code === 'unrecognized_keys' ? issue.keys.map((k) => unknownKeyMessage(k, known)).join('\n') : undefined;
}

/** A union option the value did not even have the type of (a string given to an object option, …). */
const wrongType = (issues: readonly z.core.$ZodIssue[]) =>
  issues.length === 1 && issues[0]?.path.length === 0 && ['invalid_type', 'invalid_value'].includes(issues[0].code);

/** One line per problem: `path: what was expected`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return linesOf(issues, []);
}

function linesOf(issues: readonly z.core.$ZodIssue[], at: readonly PropertyKey[]): string[] {
  return issues.flatMap((issue) => {
    const path = [...at, ...issue.path];
    const where = formatPath(path);
    if (issue.code === 'unrecognized_keys') {
      // One line per key: the schema's own (rejectUnknownKeys) or, without one, the key alone.
      const own = issue.message.split('\n');
      const lines = own.length === issue.keys.length && own.every((line) => line.startsWith('unknown key "')) ? own : issue.keys.map((k) => unknownKeyMessage(k));
      return lines.map((line) => `${where}: ${line}`);
    }
    if (issue.code === 'invalid_union') {
      // The only option of the value's type says best what is wrong (`{ grop: cab }` for `none` or
      // `{ group, minimum }`); failing that, the union's own message.
      const candidates = issue.errors.filter((option) => !wrongType(option));
      if (candidates.length === 1) return linesOf(candidates[0] as z.core.$ZodIssue[], path);
    }
    const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
    return [`${where}: ${missing ? `is required (expected ${issue.expected})` : issue.message}`];
  });
}

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source} is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
