import { retryWhileBusy } from '../db/retry-while-busy';
import { isDuplicateKey } from '../db/duplicate-key';
import type { Models } from '../models/models';

/** A platform's presence read is kept this long: asked for every notification handed on. */
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
  private readonly kept = new Map<string, { served: boolean; at: number }>();
  /** Platforms some process has delivered to (for good), and when each of the others was last found never served. */
  private readonly servedOnce = new Set<string>();
  private readonly neverServed = new Map<string, number>();
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
   * notifications are kept through its outages. Read at most every few seconds until it has.
   */
  async everServed(platform: string): Promise<boolean> {
    if (this.servedOnce.has(platform)) return true;
    const now = this.now().getTime();
    const kept = this.neverServed.get(platform);
    if (kept !== undefined && now - kept < KEPT_MS && now >= kept) return false;
    if ((await this.models.ProcessBeat.findById(beatId(platform)).lean()) !== null) {
      this.servedOnce.add(platform);
      return true;
    }
    this.neverServed.set(platform, now);
    return false;
  }

  /** Whether a live process delivers to `platform` (read at most every few seconds). */
  async served(platform: string): Promise<boolean> {
    const now = this.now().getTime();
    const kept = this.kept.get(platform);
    if (kept && now - kept.at < KEPT_MS && now >= kept.at) return kept.served;
    const beat = await this.models.ProcessBeat.findById(beatId(platform)).lean();
    const served = beat !== null && beat.at.getTime() > now - this.deadAfterMs;
    this.kept.set(platform, { served, at: now });
    return served;
  }
}

/** A platform's beat, kept for good (see `everServed`); a process's own beat is its boot id. */
export const PLATFORM_BEAT_PREFIX = 'delivers:';
const beatId = (platform: string) => `${PLATFORM_BEAT_PREFIX}${platform}`;
