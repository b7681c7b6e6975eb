import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
import { insertOnce } from '../db/insert-once';
import { retryWhileBusy } from '../db/retry-while-busy';
import type { Logger } from '../logger';
import type { IntakeDoc } from '../models/intake.model';
import type { Models } from '../models/models';

/** Does a stored request's work again, from what the platform sent (each adapter registers one). */
export type Replayer = (payload: string) => Promise<void>;

/**
 * Attempts at replaying one request before it is left for an operator (and logged as such), the
 * n-th failure waiting REPLAY_BACKOFF_MS × 2^(n-1): about 2.5 minutes in all, longer than a dead
 * writer's claims take to be found abandoned (a report's dedupe claim: 30 s).
 */
const MAX_REPLAYS = 6;
const REPLAY_BACKOFF_MS = 5_000;
/** The owner of a request given up on: kept for an operator, never replayed again. */
const GAVE_UP = 'gave-up';

/**
 * The durable way in: a request is stored before it is acknowledged and removed once its work is
 * done, so nothing acknowledged is lost with its process. Each process beats every `beatEveryMs`;
 * the work of a process that has not beaten for `deadAfterMs` (killed, stopped before it finished)
 * is taken over by another process, or by its own restart, and replayed once: the takeover is
 * claimed by a unique insert per previous owner (docs/storage.md), so two reconcilers never both
 * replay it.
 */
export class Intake {
  readonly bootId = randomUUID();
  private readonly replayers = new Map<string, Replayer>();
  private beating: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reconciling: Promise<number> | undefined;
  /** Stopping: a reconciliation under way finishes the replay it began, and leaves the rest to the next process. */
  private stopped = false;

  constructor(
    private readonly models: Models,
    private readonly now: () => Date,
    private readonly log: Logger,
    private readonly timing: { beatEveryMs: number; deadAfterMs: number } = { beatEveryMs: 10_000, deadAfterMs: 30_000 },
  ) {}

  /** Stores the request before its acknowledgement; false when it is stored already (a retried delivery). */
  accept(platform: string, requestKey: string, payload: string): Promise<boolean> {
    return insertOnce(this.models.Intake, { _id: `${platform}:${requestKey}`, platform, owner: this.bootId, payload, receivedAt: this.now() });
  }

  /** The request's work is done: nothing to replay. */
  async done(platform: string, requestKey: string): Promise<void> {
    await retryWhileBusy(() => this.models.Intake.deleteOne({ _id: `${platform}:${requestKey}` }));
  }

  onReplay(platform: string, replayer: Replayer): void {
    this.replayers.set(platform, replayer);
  }

  /** Says this process is alive (at the shared clock's time, src/db/shared-clock.ts). */
  async beat(): Promise<void> {
    await retryWhileBusy(() => this.models.ProcessBeat.updateOne({ _id: this.bootId }, { $set: { at: this.now() } }, { upsert: true }));
  }

  /** Beats now and every `beatEveryMs`, on its own timer: a long replay never silences it. Before taking requests. */
  async startBeating(): Promise<void> {
    await this.beat();
    this.beating = setInterval(() => {
      this.beat().catch((error: unknown) => this.log.error({ err: error }, 'could not beat: others may take this process\'s requests over'));
    }, this.timing.beatEveryMs);
    this.beating.unref();
  }

  /** Replays the requests of processes that stopped beating; how many were replayed. */
  reconcile(): Promise<number> {
    // One pass at a time: the interval may fire while a long replay runs.
    this.reconciling ??= this.reconcileOnce().finally(() => (this.reconciling = undefined));
    return this.reconciling;
  }

  /** Reconciles now and every `beatEveryMs`. */
  async startReconciling(): Promise<void> {
    await this.reconcile();
    this.timer = setInterval(() => {
      this.reconcile().catch((error: unknown) => this.log.error({ err: error }, 'intake reconciliation failed'));
    }, this.timing.beatEveryMs);
    this.timer.unref();
  }

  /**
   * Stops reconciling and beating. `handOver`: everything this process took on is done, so its
   * beat goes at once; otherwise what it still holds is taken over once its last beat is old.
   */
  async stop(options: { handOver: boolean }): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.beating) clearInterval(this.beating);
    await this.reconciling?.catch(() => undefined);
    // A beat at the epoch: this process is known, and known to be gone.
    if (options.handOver) await retryWhileBusy(() => this.models.ProcessBeat.updateOne({ _id: this.bootId }, { $set: { at: new Date(0) } }, { upsert: true }));
  }

  private async reconcileOnce(): Promise<number> {
    if (this.replayers.size === 0) return 0;
    // Done requests are removed at once, so these collections hold only work in flight: the
    // intake's, and the one processes from before its own database wrote to.
    const platforms = { platform: { $in: [...this.replayers.keys()] } };
    const pending: { request: IntakeDoc; store: Model<IntakeDoc> }[] = [];
    for (const store of [this.models.Intake, this.models.IntakeInMainDatabase]) {
      for (const request of await store.find(platforms).lean<IntakeDoc[]>()) pending.push({ request, store });
    }
    const { alive, beating } = await this.liveOwners(pending.map((p) => p.request));
    const recent = this.now().getTime() - this.timing.deadAfterMs;
    let replayed = 0;
    for (const { request, store } of pending) {
      if (this.stopped) break;
      if (alive.has(request.owner) || request.owner === GAVE_UP) continue;
      // An owner that has never beaten, with a recent request, may be a process just starting.
      if (!beating.has(request.owner) && request.receivedAt.getTime() > recent && !request.owner.startsWith('replay-')) continue;
      if (request.retryAt && request.retryAt.getTime() > this.now().getTime()) continue;
      if (await this.replay(request, store)) replayed += 1;
    }
    if (replayed > 0) this.log.warn({ replayed }, 'replayed acknowledged requests whose process stopped before finishing them');
    return replayed;
  }

  /** Whether the process `owner` is alive: this one, or one that has beaten within `deadAfterMs`. */
  async isAlive(owner: string): Promise<boolean> {
    if (owner === this.bootId) return true;
    const beat = await this.models.ProcessBeat.findById(owner).lean();
    return beat !== null && beat.at.getTime() > this.now().getTime() - this.timing.deadAfterMs;
  }

  /** The owners beating recently (`alive`, this process among them), and those that ever beat (`beating`). */
  private async liveOwners(pending: IntakeDoc[]): Promise<{ alive: Set<string>; beating: Set<string> }> {
    const alive = new Set<string>([this.bootId]);
    const beating = new Set<string>([this.bootId]);
    const cutoff = this.now().getTime() - this.timing.deadAfterMs;
    for (const owner of new Set(pending.map((p) => p.owner))) {
      if (owner === this.bootId) continue;
      const beat = await this.models.ProcessBeat.findById(owner).lean();
      if (beat) beating.add(owner);
      if (beat && beat.at.getTime() > cutoff) alive.add(owner);
    }
    return { alive, beating };
  }

  /** Takes the request over from its dead owner (once, by insert) and does its work; `store` is where it was found. */
  private async replay(request: IntakeDoc, store: Model<IntakeDoc>): Promise<boolean> {
    const replayer = this.replayers.get(request.platform);
    if (!replayer) return false;
    if (!(await insertOnce(this.models.RecordKey, { _id: `intake-takeover:${request._id}:${request.owner}`, recordId: request._id, at: this.now() }))) return false;
    const attempt = Number(/^replay-(\d+):/.exec(request.owner)?.[1] ?? 0) + 1;
    await retryWhileBusy(() => store.updateOne({ _id: request._id }, { $set: { owner: this.bootId } }));
    try {
      await replayer(request.payload);
      await retryWhileBusy(() => store.deleteOne({ _id: request._id }));
      return true;
    } catch (error) {
      // Left to the next reconciliation under an owner that never beats; after MAX_REPLAYS, to an operator.
      const owner = attempt < MAX_REPLAYS ? `replay-${attempt}:${randomUUID()}` : GAVE_UP;
      this.log.error({ err: error, request: request._id, attempt }, owner === GAVE_UP ? 'gave up replaying an acknowledged request' : 'replaying an acknowledged request failed; it will be tried again');
      const retryAt = new Date(this.now().getTime() + REPLAY_BACKOFF_MS * 2 ** (attempt - 1));
      await retryWhileBusy(() => store.updateOne({ _id: request._id }, { $set: { owner, retryAt } }));
      return false;
    }
  }
}
