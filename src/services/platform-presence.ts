import { retryWhileBusy } from '../db/retry-while-busy';
import { isDuplicateKey } from '../db/duplicate-key';
import type { Models } from '../models/models';

/** A platform's beat, once read, is kept this long. */
const KEPT_MS = 5_000;

/**
 * Which platforms some live process delivers to. Each process beats `delivers:<platform>` for the
 * platforms it has a deliverer for, beside its own beat; a process without one asks before handing
 * a notification on, so that with no process for Teams, say, its notifications wait quietly (and
 * are delivered once one starts) instead of being passed round the processes every 2 s.
 *
 * A platform's beat is kept for good (retention removes only processes' own), so it also says
 * whether any process ever delivered there: one that none ever has gets no notifications stored.
 */
export class PlatformPresence {
  /** Each platform's beat as last read (`at` null: none yet), and when it was read. */
  private readonly lastRead = new Map<string, { at: Date | null; readAt: number }>();
  private beating?: NodeJS.Timeout;

  constructor(
    private readonly models: Models,
    private readonly now: () => Date,
    /** How long a platform's last beat counts: as long as a process's own (the intake's). */
    private readonly deadAfterMs = 30_000,
  ) {}

  /** Says that this process delivers to `platforms` now. */
  async beat(platforms: readonly string[]): Promise<void> {
    for (const platform of platforms) {
      try {
        await retryWhileBusy(() => this.models.ProcessBeat.updateOne({ _id: beatId(platform) }, { $set: { at: this.now() } }, { upsert: true }));
      } catch (error) {
        // Two processes creating the beat at once (an upsert is not atomic on every storage): one has.
        if (!isDuplicateKey(error)) throw error;
      }
    }
  }

  /** Beats now and every `everyMs` for the platforms `platforms()` names at the time. */
  async startBeating(platforms: () => readonly string[], everyMs: number, onError: (error: unknown) => void): Promise<void> {
    await this.beat(platforms());
    this.beating = setInterval(() => void this.beat(platforms()).catch(onError), everyMs);
    this.beating.unref();
  }

  stop(): void {
    if (this.beating) clearInterval(this.beating);
  }

  /**
   * Whether any process has ever delivered to `platform`, alive or not: once one has, its
   * notifications are kept through its outages. A beat once found is known for good (it is never
   * removed); until then it is read again every few seconds.
   */
  async everServed(platform: string): Promise<boolean> {
    const known = this.lastRead.get(platform);
    if (known?.at) return true;
    return (await this.beatOf(platform)) !== null;
  }

  /** Whether a live process delivers to `platform` (read at most every few seconds). */
  async served(platform: string): Promise<boolean> {
    const at = await this.beatOf(platform);
    return at !== null && at.getTime() > this.now().getTime() - this.deadAfterMs;
  }

  /** The platform's last beat, read at most every `KEPT_MS`: asked for every notification handed on. */
  private async beatOf(platform: string): Promise<Date | null> {
    const now = this.now().getTime();
    const known = this.lastRead.get(platform);
    if (known && now - known.readAt < KEPT_MS && now >= known.readAt) return known.at;
    const beat = await this.models.ProcessBeat.findById(beatId(platform)).lean();
    const at = beat?.at ?? null;
    this.lastRead.set(platform, { at, readAt: now });
    return at;
  }
}

/** A platform's beat, kept for good (see `everServed`); a process's own beat is its boot id. */
export const PLATFORM_BEAT_PREFIX = 'delivers:';
const beatId = (platform: string) => `${PLATFORM_BEAT_PREFIX}${platform}`;
