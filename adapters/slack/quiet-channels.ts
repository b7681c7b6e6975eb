import type { Pacer } from '../../src/services/pacing';
import type { SlotLogs } from '../../src/services/slot-log';
import type { TimerWheel } from '../../src/services/timer-wheel';
import { channelPace } from './slack-limits';

/** The timer that looks whether a channel with changes waiting is quiet yet. */
export const QUIET_CHECK = 'slack.quiet-check';
/** A busy channel is looked at again this often. */
const CHECK_EVERY_MS = 30_000;
/** Changes tried in one round once the channel is quiet: about the backlog at which tickets are listed again. */
const WAKE_PER_ROUND = 5;
/** Entries read in one round at most (most name changes long done, or a card since drawn newer). */
const READ_PER_ROUND = 50;
/** An entry this young may precede its change's refusal (noted first): it is tried at the next round. */
const NOTED_SETTLE_MS = 5_000;
/** Where this process's checks stopped is gone on from only this long after (older, retention may have removed what follows). */
const TRIED_KEPT_MS = 30 * 60_000;
/**
 * Should the timer that ends a change's wait be lost (its check fired in a process that died), the
 * change tries again this late by itself.
 */
export const QUIET_FALLBACK_MS = 15 * 60_000;

const logOf = (workspace: string, channel: string) => `quiet:${workspace}:${channel}`;

/**
 * The changes of listed tickets (adapters/slack/folded-cards.ts) waiting for their backed-up
 * channel to be quiet, so that the first posts the ticket's own card. Each waited by trying again
 * on the notifier's back-off: under a storm of half an hour that was every waiting change tried
 * again some nine times, each try a claim, a lease, a refusal and their timers, near a third of the
 * database's work (docs/benchmarks.md). Now a change notes itself in its channel's log of waiting
 * changes (found by `_id`, like every log here) and waits a long while; the channel's check (one
 * timer per channel and process) looks every 30 s whether the channel is quiet, and once it is, tries the noted changes a few at a
 * time (the notifier's `wake`). Where the check stopped, and whether one is set, each process
 * keeps in memory: with several processes a channel may have a check from each, and one that
 * lands in a process without Slack is dropped. Whatever a check misses (its process died, it was
 * dropped, a change was noted as it ended) still tries again by itself after `QUIET_FALLBACK_MS`.
 */
export class QuietChannels {
  /** Per channel log, when this process last set its check: one check at a time per channel and process. */
  private readonly checking = new Map<string, number>();
  /** Per channel log, the last slot this process's checks have tried, and when: a new check goes on from there. */
  private readonly tried = new Map<string, { slot: number; at: number }>();

  constructor(
    private readonly deps: {
      logs: SlotLogs;
      wheel: TimerWheel;
      pacer: Pacer;
      coalesceAfterMs: number;
      /** Tries the notification now; false when it has ended already (nothing tried). */
      wake(notificationId: string): Promise<boolean>;
      now(): Date;
    },
  ) {
    deps.wheel.on(QUIET_CHECK, (ref) => this.check(ref));
  }

  /** Whether the channel is backed up beyond the wait at which tickets are listed rather than posted. */
  busy(workspace: string, channel: string): Promise<boolean> {
    return this.deps.pacer.backlogBeyond(channelPace(workspace, channel), this.deps.coalesceAfterMs);
  }

  /** The change `notificationId` waits for `channel` to be quiet: noted, and the channel's check set. */
  async wait(workspace: string, channel: string, notificationId: string): Promise<void> {
    const log = logOf(workspace, channel);
    const slot = await this.deps.logs.append(log, notificationId);
    const setAt = this.checking.get(log);
    // A check set by this process, running (it sets itself again while the channel is busy): it reaches this entry.
    if (setAt !== undefined && Date.now() - setAt < 2 * CHECK_EVERY_MS) return;
    const tried = this.tried.get(log);
    await this.setCheck(workspace, channel, tried && Date.now() - tried.at < TRIED_KEPT_MS ? tried.slot : slot - 1, CHECK_EVERY_MS);
  }

  /** `ref` = `<workspace>|<channel>|<the last slot of its log already tried>`. */
  private async check(ref: string): Promise<void> {
    const [workspace = '', channel = '', afterText = '0'] = ref.split('|');
    const after = Number(afterText);
    if (await this.busy(workspace, channel)) return this.setCheck(workspace, channel, after, CHECK_EVERY_MS);
    const entries = await this.deps.logs.after<string>(logOf(workspace, channel), after, READ_PER_ROUND);
    let woken = 0;
    let last = after;
    let settling = false;
    for (const entry of entries) {
      if (woken >= WAKE_PER_ROUND) break;
      if (new Date(entry.at).getTime() > this.deps.now().getTime() - NOTED_SETTLE_MS) {
        settling = true;
        break;
      }
      if (await this.deps.wake(entry.body)) woken += 1;
      last = entry.n;
    }
    this.tried.set(logOf(workspace, channel), { slot: last, at: Date.now() });
    // Nothing left: the check ends, and the next change noted sets another from here.
    if (last === after && !settling) this.checking.delete(logOf(workspace, channel));
    // The next few once the posts of these have gone (about a second each), or the young ones have settled.
    else await this.setCheck(workspace, channel, last, settling ? NOTED_SETTLE_MS : woken * 1_000);
  }

  private async setCheck(workspace: string, channel: string, after: number, inMs: number): Promise<void> {
    this.checking.set(logOf(workspace, channel), Date.now());
    await this.deps.wheel.schedule(QUIET_CHECK, `${workspace}|${channel}|${after}`, new Date(this.deps.now().getTime() + inMs));
  }
}
