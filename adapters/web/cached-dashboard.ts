import type { DashboardData, DashboardFigures } from '../../src/services/dashboard-figures';
import type { Locale } from '../../src/i18n/translate';

/** How long one reading of the figures serves every viewer in the same zone. */
const FRESH_MS = 60_000;

/**
 * The dashboard's figures, read at most once a minute per time zone however many
 * pages ask: on FerretDB's SQLite storage the 30-day window is a scan of the incidents
 * (docs/storage.md), which must not run once per page load.
 */
export class CachedDashboard {
  private readonly readings = new Map<string, { at: number; data: Promise<DashboardData> }>();

  constructor(
    private readonly figures: DashboardFigures,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /**
   * The figures for the viewer's zone (the days are counted there; nothing in them is worded). A
   * stale reading is served while one fresh reading runs: nobody waits for the scan but the first.
   */
  read(viewer: { locale: Locale; timeZone: string }): Promise<DashboardData> {
    const key = viewer.timeZone;
    const cached = this.readings.get(key);
    if (cached && this.nowMs() - cached.at < FRESH_MS) return cached.data;
    const data = this.figures.read(viewer);
    // A failed reading is not kept: the next page asks again.
    data.then(
      () => this.readings.set(key, { at: this.nowMs(), data }),
      () => undefined,
    );
    if (cached) {
      // Refreshing: this and later pages get the last reading until the new one is in.
      this.readings.set(key, { at: this.nowMs(), data: cached.data });
      return cached.data;
    }
    return data;
  }
}
