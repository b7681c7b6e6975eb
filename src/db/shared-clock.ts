import type { Db } from 'mongodb';

/** How often the offset to the database server's clock is measured again. */
const RESYNC_MS = 5 * 60_000;

/**
 * One clock for every process: the database server's. The offset between this host's clock and
 * the server's (from `hello`'s `localTime`, halfway through the round trip) is measured at start
 * and every few minutes, so record times (`writtenAt`, audit instants), timers and the turns of
 * the platforms' limits agree between processes on hosts whose clocks drift apart.
 */
export class SharedClock {
  private offsetMs = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Db) {}

  /** This host's time corrected to the server's. */
  readonly now = (): Date => new Date(Date.now() + this.offsetMs);

  readonly nowMs = (): number => Date.now() + this.offsetMs;

  get offset(): number {
    return this.offsetMs;
  }

  /** Measures the offset now and then every few minutes; resolves to it (ms, server minus host). */
  async start(): Promise<number> {
    await this.measure();
    this.timer = setInterval(() => void this.measure().catch(() => undefined), RESYNC_MS);
    this.timer.unref();
    return this.offsetMs;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async measure(): Promise<void> {
    const sent = Date.now();
    const answer = await this.db.command({ hello: 1 });
    const received = Date.now();
    const serverTime = answer.localTime instanceof Date ? answer.localTime.getTime() : undefined;
    // A server that does not say its time: this host's clock, as before.
    if (serverTime === undefined) return;
    this.offsetMs = serverTime - (sent + received) / 2;
  }
}
