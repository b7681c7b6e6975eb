import { LOAD_LINE, watchLoad } from '../../../src/server/load-watch';
import { BoundedQueue } from '../../../src/services/bounded-queue';
import { recordingLogger } from '../../support/factories';

describe('the load line (src/server/load-watch.ts)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('tells each gauge\'s mean and highest reading once per period, each period on its own, and nothing once stopped', () => {
    const { log, entries } = recordingLogger();
    const readings = [1, 2, 3, 4, 5, 6, 0, 0, 2, 0, 0, 0];
    let next = 0;
    const stop = watchLoad(log, { queued: () => readings[next++] ?? 0, flat: () => 7 }, { sampleEveryMs: 10, tellEveryMs: 60 });
    try {
      jest.advanceTimersByTime(60);
      jest.advanceTimersByTime(60);
      const lines = entries.filter((e) => e.msg === LOAD_LINE);
      expect(lines.map((e) => e.load)).toEqual([
        { queued: { mean: 3.5, max: 6 }, flat: { mean: 7, max: 7 } },
        { queued: { mean: 0.3, max: 2 }, flat: { mean: 7, max: 7 } },
      ]);
      expect(lines.map((e) => e.samples)).toEqual([6, 6]);
    } finally {
      stop();
    }
    jest.advanceTimersByTime(600);
    expect(entries.filter((e) => e.msg === LOAD_LINE)).toHaveLength(2);
  });

  it('a queue tells what waits to begin, what is at work, and what waits aside for a turn', async () => {
    jest.useRealTimers();
    const queue = new BoundedQueue(1, 10, { asleepLimit: 1 });
    const release: (() => void)[] = [];
    const held = () => new Promise<void>((resolve) => release.push(resolve));
    queue.offer(held);
    queue.offer(held);
    expect(queue.load()).toEqual({ waiting: 1, atWork: 1, aside: 0 });
    for (const resolve of release.splice(0)) resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.load()).toEqual({ waiting: 0, atWork: 1, aside: 0 });
    for (const resolve of release.splice(0)) resolve();
    await queue.idle();
    expect(queue.load()).toEqual({ waiting: 0, atWork: 0, aside: 0 });
  });
});
