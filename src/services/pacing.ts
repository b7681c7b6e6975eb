import { findByIdTogether } from '../db/find-by-ids';
import { insertOnce } from '../db/insert-once';
import type { Models } from '../models/models';
import type { PaceSlotDoc } from '../models/pace-slot.model';
import { waitAside } from './bounded-queue';
import { OneAtATime } from './one-at-a-time';

/** A platform limit as turns: one call per `intervalMs` for `key`, with up to `burst` at once after a quiet spell. */
export interface Pace {
  key: string;
  intervalMs: number;
  burst: number;
}

/** Whom a turn reserved ahead is held for. */
export interface TurnHolder {
  /** The hold's name: a delivery's id, or (with `edit`) the thing its edits change, such as one card. */
  id: string;
  /** Coming back: a turn held for it earlier is looked for. */
  again: boolean;
  /**
   * One of the edits of the same thing (one card), which share one held turn: a newer edit takes
   * the turn over, and an older one then finds it `outdone`, needing no call of its own.
   */
  edit?: { by: string; version: number };
}

/** The turn held for a thing's edits went to a newer edit: this one is drawn by it. */
export class OutdoneByNewerEdit extends Error {
  constructor(readonly key: string) {
    super(`a newer edit waits for the turn held in ${key}`);
  }
}

const FRONTIER_LIMIT = 10_000;
/** A turn taken by another process is skipped in steps that double up to this, so a long queue costs few tries. */
const MAX_STEP = 4;
/** How many times a caller woken long after its turn takes a new one before going anyway. */
const MAX_RETAKES = 3;

/**
 * Keeps every process within a platform's published limits by taking turns rather than by meeting
 * 429s: a turn is the document `<key>:<n>` (n counts intervals since the epoch), taken by
 * inserting it, so processes share one pace. A caller waits until its turn begins; how far ahead
 * the turns are taken is the backlog, which tells a caller when to coalesce instead of queueing.
 */
export class Pacer {
  /** The next turn this process would try per key (its own last turn + 1): saves tries on taken turns. */
  private readonly frontier = new Map<string, number>();
  /** Per key, the takes of this process, one after another. */
  private readonly taking = new OneAtATime();

  constructor(
    private readonly models: Models,
    /** Real time: the platforms count in it, whatever clock the records use. */
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes the next free turn unless it begins more than `maxWaitMs` from now: resolves to how long
   * to wait until it begins (0: go now), and whether it was taken (a turn too far off is left for
   * later, not wasted).
   */
  take(pace: Pace, maxWaitMs = Infinity): Promise<{ taken: boolean; waitMs: number }> {
    // One taker at a time per key in this process: callers at once would otherwise try the same
    // turn, collide and step past free ones, leaving turns unused and the later callers further off.
    return this.taking.run(pace.key, () => this.takeNext(pace, maxWaitMs));
  }

  private async takeNext(pace: Pace, maxWaitMs: number): Promise<{ taken: boolean; waitMs: number }> {
    const now = this.now();
    const current = Math.floor(now / pace.intervalMs);
    let turn = Math.max(current - pace.burst + 1, this.frontier.get(pace.key) ?? -Infinity);
    for (let step = 1; ; step = Math.min(MAX_STEP, step * 2)) {
      const waitMs = Math.max(0, turn * pace.intervalMs - now);
      if (waitMs > maxWaitMs) return { taken: false, waitMs };
      if (await insertOnce(this.models.PaceSlot, { _id: `${pace.key}:${turn}`, until: new Date((turn + 1) * pace.intervalMs) })) {
        if (this.frontier.size >= FRONTIER_LIMIT) this.frontier.clear();
        this.frontier.set(pace.key, turn + 1);
        return { taken: true, waitMs };
      }
      turn += step;
    }
  }

  /**
   * Takes a turn no further off than `maxWaitMs` and waits until it begins; false when none is
   * that near (nothing taken) or `stopping` aborted the wait (the turn is left unused).
   *
   * `holder` (a delivery that can come back later, e.g. through its timer): a turn further off is
   * taken all the same and held for it (`waitMs` says when it begins), and its next call (`again`)
   * finds it.
   * A backlog then costs each caller one more try at its turn, instead of a try every `maxWaitMs`
   * competing for turns that are never reserved.
   *
   * The edits of one thing (`holder.edit`) share its held turn, so that a card changed ten times
   * while its turn is far off takes one turn, not ten, and the newest edit goes at it: an older edit
   * coming back then throws `OutdoneByNewerEdit`.
   */
  waitForTurn(pace: Pace, maxWaitMs: number, stopping?: AbortSignal, holder?: TurnHolder): Promise<{ ready: boolean; waitMs: number }> {
    return this.turnFor(pace, maxWaitMs, stopping, holder, 0);
  }

  private async turnFor(pace: Pace, maxWaitMs: number, stopping: AbortSignal | undefined, holder: TurnHolder | undefined, retakes: number): Promise<{ ready: boolean; waitMs: number }> {
    const held = holder?.again ? await this.heldTurn(pace, holder) : undefined;
    const { taken, waitMs } = held ?? (await this.take(pace, holder ? Infinity : maxWaitMs));
    if (!taken) return { ready: false, waitMs };
    if (waitMs > maxWaitMs) {
      if (!held) await this.hold(pace, holder!, waitMs);
      return { ready: false, waitMs };
    }
    if (held) {
      // Of the edits that took a thing's turn over one another, one goes at it (another that
      // believes it holds it, its takeover crossing the first's going, takes a turn of its own).
      if (holder!.edit && !(await this.goesAt(pace, holder!, held.turnAt))) return this.turnFor(pace, maxWaitMs, stopping, { ...holder!, again: false }, retakes);
      await this.models.PaceSlot.deleteOne({ _id: holdId(pace, holder!.id) });
    }
    const turnAt = this.now() + waitMs;
    // Within a queued delivery, its place goes to another meanwhile.
    if (waitMs > 0) await waitAside(sleep(waitMs, stopping));
    if (stopping?.aborted) return { ready: false, waitMs: 0 };
    // A process starved of its CPU (a stall, a busy database) wakes its sleepers long after their
    // turns: going then, they would all go at once, over the limit. A turn gone by further than a
    // burst reaches back is let go and a new one taken, as a held one is.
    if (this.goneBy(pace, turnAt) && retakes < MAX_RETAKES) return this.turnFor(pace, maxWaitMs, stopping, holder && { ...holder, again: false }, retakes + 1);
    return { ready: true, waitMs };
  }

  /** Whether the turn beginning at `turnAt` lies further back than a burst reaches. */
  private goneBy(pace: Pace, turnAtMs: number): boolean {
    return Math.floor(turnAtMs / pace.intervalMs) < Math.floor(this.now() / pace.intervalMs) - pace.burst + 1;
  }

  /** The turn held for `holder`, unless none is or it has passed by too long (a new one is taken then). */
  private async heldTurn(pace: Pace, holder: TurnHolder): Promise<{ taken: true; waitMs: number; turnAt: Date } | undefined> {
    const id = holdId(pace, holder.id);
    const held = await findByIdTogether<PaceSlotDoc>(this.models.PaceSlot, id);
    if (!held?.turnAt) return undefined;
    const now = this.now();
    // A turn gone by further than a burst reaches back is not used late: holders coming back
    // together after theirs (a busy or restarted process) would go at once, over the limit (a 429).
    // Their reservation is let go, and a turn taken like anyone's.
    if (this.goneBy(pace, held.turnAt.getTime())) {
      await this.models.PaceSlot.deleteOne({ _id: id });
      return undefined;
    }
    const { edit } = holder;
    if (edit && held.by !== undefined && held.by !== edit.by) {
      if ((held.version ?? -1) > edit.version) throw new OutdoneByNewerEdit(id);
      // A newer edit takes the turn over. Found by `_id` alone (another condition would read every
      // turn, docs/storage.md §2): none matched, the turn was used meanwhile, and this edit takes its own.
      const passed = await this.models.PaceSlot.updateOne({ _id: id }, { $set: { by: edit.by, version: edit.version } });
      if (passed.matchedCount === 0) return undefined;
    }
    return { taken: true, waitMs: Math.max(0, held.turnAt.getTime() - now), turnAt: held.turnAt };
  }

  /**
   * Whether this edit goes at the thing's held turn beginning at `turnAt`: claimed once (an insert),
   * so that two edits each believing the turn theirs never both go at it. The one that did not win
   * is outdone by a winner drawing its version or a newer one; otherwise it takes a turn of its own.
   */
  private async goesAt(pace: Pace, holder: TurnHolder, turnAt: Date): Promise<boolean> {
    const edit = holder.edit!;
    const id = `${holdId(pace, holder.id)}@${turnAt.getTime()}`;
    if (await insertOnce(this.models.PaceSlot, { _id: id, until: new Date(turnAt.getTime() + pace.intervalMs), by: edit.by, version: edit.version })) return true;
    const winner = await this.models.PaceSlot.findById(id).lean<PaceSlotDoc>();
    // Its own claim: an earlier try of this same edit won it and came no further.
    if (winner?.by === edit.by) return true;
    if ((winner?.version ?? -1) >= edit.version) throw new OutdoneByNewerEdit(id);
    return false;
  }

  private async hold(pace: Pace, holder: TurnHolder, waitMs: number): Promise<void> {
    const turnAt = new Date(this.now() + waitMs);
    const by = holder.edit ? { by: holder.edit.by, version: holder.edit.version } : {};
    await this.models.PaceSlot.updateOne({ _id: holdId(pace, holder.id) }, { $set: { turnAt, until: new Date(turnAt.getTime() + pace.intervalMs), ...by } }, { upsert: true });
  }

  /** Whether the turn `withinMs` from now is taken already: whatever is added now would wait longer than that. */
  async backlogBeyond(pace: Pace, withinMs: number): Promise<boolean> {
    const turn = Math.floor((this.now() + withinMs) / pace.intervalMs);
    if ((this.frontier.get(pace.key) ?? -Infinity) > turn) return true;
    return (await findByIdTogether(this.models.PaceSlot, `${pace.key}:${turn}`)) !== null;
  }
}

/** Waits `ms`, or less when `signal` aborts (a stopping process). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

const holdId = (pace: Pace, holder: string) => `hold:${pace.key}:${holder}`;
