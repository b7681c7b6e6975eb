import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Level, Priority } from '../src/domain/priority';

/** Each incident of the ServiceNow export (UCI dataset 498) as it was opened (bench/data/SOURCES.md). */
const UCI_INCIDENTS = 'uci-498-incidents-as-opened.csv.gz';
// Read from the sources, whether the bench runs from dist/bench or bench/.
const CANDIDATES = [join(__dirname, '..', '..', 'bench', 'data', UCI_INCIDENTS), join(__dirname, 'data', UCI_INCIDENTS)];

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
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** Each incident's impact, urgency and priority as opened. */
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
