/**
 * How many commands the Slack work thread holds at once in a database server that runs on this
 * machine (the embedded one, or any on loopback). The server works for it at the server's own
 * priority, not the work thread's lowered one, and shares the cores with the thread answering
 * Slack: with 8 at once, the work of the requests answered earlier crowded out the next click's
 * store and the answering thread itself. Pinned to one core, the Slack bench's p99 went from
 * 34–41 ms to 19–28 ms with 2. The work does less a second when the cores are full: under the
 * 30-minute soak, escalations came up to 394 s late, against 83 s with 8 (docs/benchmarks.md).
 */
export const WORK_THREAD_LOCAL_POOL_SIZE = 2;

const LOOPBACK = new Set(['localhost', '[::1]']);

/** Whether the URI's one host is this machine; false for several hosts, SRV records or anything unparsable. */
function onThisMachine(url: URL): boolean {
  if (url.protocol !== 'mongodb:') return false;
  const host = url.hostname.toLowerCase();
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The address the Slack work thread connects with: its pool bounded when the server runs on this machine, whatever the address asks. */
export function workThreadDatabaseUri(uri: string): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return uri;
  }
  if (!onThisMachine(url)) return uri;
  url.searchParams.set('maxPoolSize', String(WORK_THREAD_LOCAL_POOL_SIZE));
  return url.toString();
}
