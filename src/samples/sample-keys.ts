/**
 * Record keys (`record_keys`, by `_id`) that make the samples a once-only thing for a database:
 * `created` is claimed at the first start (before the first sample is made, or saying that the
 * database held tickets), so two processes starting at once make one set and later starts look no
 * further; `removed` remembers that they were removed (and which ones), so none are ever made again.
 * Neither is a retry key: the daily purge (src/services/retention.ts) leaves them.
 */
export const SAMPLE_KEYS = {
  created: 'samples:created',
  removed: 'samples:removed',
} as const;

/**
 * Whether a timer's reference names only these records: `INC0001001`, `INC0001001#2` (an
 * escalation step), `REQ0001001:0:1` (an approval round), a notification's `INC0001001:card.v1:…#2`,
 * or several of those, one a line (a lease for everything one announcement stored).
 */
export function refersOnlyTo(ref: string, ids: ReadonlySet<string>): boolean {
  return ref.split('\n').every((line) => {
    const end = line.search(/[:#]/);
    return ids.has(end < 0 ? line : line.slice(0, end));
  });
}
