import type { App } from '../../src/app';
import type { NotificationDoc } from '../../src/models/notification.model';
import type { DeliveryOutcome, NotificationDeliverer } from '../../src/services/notifier';
import type { TestClock } from './factories';

export type PostedNotification = NotificationDoc & { deliveredAt: Date };

/**
 * A platform stand-in that records what reaches it. `posted` may be shared by several
 * deliverers (two processes, one Slack); `next` queues outcomes to answer before succeeding.
 */
export class RecordingDeliverer implements NotificationDeliverer {
  readonly platform = 'test';
  readonly next: (DeliveryOutcome | 'hang' | 'post-then-hang')[] = [];
  attempts = 0;

  constructor(
    readonly posted: PostedNotification[] = [],
    private readonly now: () => Date = () => new Date(),
  ) {}

  async deliver(notification: NotificationDoc): Promise<DeliveryOutcome> {
    this.attempts += 1;
    const outcome = this.next.shift() ?? { kind: 'delivered' };
    if (outcome === 'hang') return new Promise<never>(() => {}); // the process dies before the platform answers
    if (outcome === 'post-then-hang') {
      this.posted.push({ ...notification, deliveredAt: this.now() }); // the platform got it; the process died before hearing so
      return new Promise<never>(() => {});
    }
    if (outcome.kind === 'delivered') this.posted.push({ ...notification, deliveredAt: this.now() });
    return outcome;
  }

  async wasDelivered(notification: NotificationDoc): Promise<boolean> {
    return this.posted.some((n) => n._id === notification._id);
  }

  reasonsFor(recipient: string): string[] {
    return this.posted
      .filter((n) => (n.audience.kind === 'person' ? n.audience.personId === recipient : n.audience.kind === recipient))
      .map((n) => n.reason);
  }
}

/**
 * Moves the clock to `iso` in steps, letting the timer wheel work after each step as agenda's
 * recurring ticks would (a step of 10 s after each move lets deliveries scheduled "now" settle).
 */
export async function runClockUntil(apps: App | App[], clock: TestClock, iso: string, stepMinutes = 1): Promise<void> {
  const list = Array.isArray(apps) ? apps : [apps];
  const target = new Date(iso).getTime();
  while (clock.current.getTime() < target) {
    clock.current = new Date(Math.min(target, clock.current.getTime() + stepMinutes * 60_000));
    await settle(list, clock);
  }
}

/** Ticks until nothing more happens (deliveries scheduled by this tick, their retries due now). */
export async function settle(apps: App[], clock: TestClock): Promise<void> {
  for (let round = 0; round < 4; round++) {
    const reports = await Promise.all(apps.map((app) => app.jobs.wheel.tickAll()));
    // Deliveries and timers run at once go beside the tick: done before the clock moves on.
    await Promise.all(apps.map(async (app) => {
      await app.jobs.wheel.idle();
      await app.jobs.notifier.idle();
    }));
    clock.current = new Date(clock.current.getTime() + 10_000);
    if (round > 0 && reports.every((r) => r.timers === 0)) return;
  }
}
