import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Level, Priority } from '../src/domain/priority';

/** The ServiceNow incident export (UCI dataset 498) kept in the shared datasets folder. */
export const UCI_LOG = join(__dirname, '..', '..', '..', 'shared', 'datasets', 'uci-incident-event-log', 'incident_event_log.csv.gz');
const UCI_LOG_FROM_SOURCE = join(__dirname, '..', '..', 'shared', 'datasets', 'uci-incident-event-log', 'incident_event_log.csv.gz');

export interface UciIncident {
  number: string;
  impact: Level;
  urgency: Level;
  /** ServiceNow's own priority for the pair, as P1-P4. */
  priority: Priority;
  category: string;
}

const LEVEL: Record<string, Level> = { '1 - High': 'high', '2 - Medium': 'medium', '3 - Low': 'low' };
const PRIORITY: Record<string, Priority> = { '1 - Critical': 'P1', '2 - High': 'P2', '3 - Moderate': 'P3', '4 - Low': 'P4' };

export function uciLogPath(): string | null {
  return [UCI_LOG, UCI_LOG_FROM_SOURCE].find((p) => existsSync(p)) ?? null;
}

/** The first event row of each incident: impact, urgency and priority as opened. */
export async function readUciIncidents(limit: number): Promise<UciIncident[]> {
  const path = uciLogPath();
  if (!path) return [];
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()) });
  const seen = new Set<string>();
  const incidents: UciIncident[] = [];
  let header: string[] | null = null;
  for await (const line of lines) {
    const cells = line.split(',');
    if (!header) {
      header = cells;
      continue;
    }
    const get = (name: string) => cells[(header as string[]).indexOf(name)] ?? '';
    const number = get('number');
    if (seen.has(number)) continue;
    seen.add(number);
    const impact = LEVEL[get('impact')];
    const urgency = LEVEL[get('urgency')];
    const priority = PRIORITY[get('priority')];
    if (impact && urgency && priority) incidents.push({ number, impact, urgency, priority, category: get('category') });
    if (incidents.length >= limit) break;
  }
  lines.close();
  return incidents;
}
