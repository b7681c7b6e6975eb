import { watchEventLoopStalls } from '../../../src/server/event-loop-stalls';
import { recordingLogger } from '../../support/factories';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('event-loop stalls are logged', () => {
  it('a synchronous step holding the loop is logged with its length; a loop kept free logs nothing', async () => {
    const { log, entries } = recordingLogger();
    const stop = watchEventLoopStalls(log, { stallMs: 150, checkEveryMs: 100 });
    try {
      await pause(350);
      expect(entries.filter((e) => e.msg === 'the event loop stalled')).toEqual([]);
      const until = Date.now() + 300;
      while (Date.now() < until); // holds the loop, as a long synchronous step does
      await pause(250);
      const stalls = entries.filter((e) => e.msg === 'the event loop stalled');
      expect(stalls).toHaveLength(1);
      expect(stalls[0]!.maxMs).toBeGreaterThanOrEqual(250);
    } finally {
      stop();
    }
  });
});
