import type { DashboardData, DashboardFigures } from '../../src/services/dashboard-figures';
import type { Locale } from '../../src/i18n/translate';

/** How long one reading of the figures serves every viewer in the same zone and language. */
const FRESH_MS = 60_000;

/**
 * The dashboard's figures, read at most once a minute per time zone and language however many
 * pages ask: on FerretDB's SQLite storage the 30-day window is a scan of the incidents
 * (docs/storage.md), which must not run once per page load.
 */
export class CachedDashboard {
  private readonly readings = new Map<string, { at: number; data: Promise<DashboardData> }>();

  constructor(
    private readonly figures: DashboardFigures,
    private readonly nowMs: () => number = Date.now,
  ) {}

  read(viewer: { locale: Locale; timeZone: string }): Promise<DashboardData> {
    const key = `${viewer.timeZone}|${viewer.locale}`;
    const cached = this.readings.get(key);
    if (cached && this.nowMs() - cached.at < FRESH_MS) return cached.data;
    const data = this.figures.read(viewer);
    this.readings.set(key, { at: this.nowMs(), data });
    // A failed reading is not kept: the next page asks again.
    data.catch(() => this.readings.delete(key));
    return data;
  }
}
