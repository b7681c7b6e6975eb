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
 */
export class PlatformPresence {
  private readonly kept = new Map<string, { served: boolean; at: number }>();
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

const beatId = (platform: string) => `delivers:${platform}`;
