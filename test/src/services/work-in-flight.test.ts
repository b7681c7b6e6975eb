import { WorkInFlight } from '../../../src/services/work-in-flight';

/** A piece of work that runs until released, noting when it starts. */
function gated(started: string[], name: string): { work: () => Promise<string>; release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return {
    work: async () => {
      started.push(name);
      await gate;
      return name;
    },
    release: () => release(),
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('work after the acknowledgement, a bounded number at a time', () => {
  it('runs at most its bound at once; the rest waits in order and is counted; work that must start at once does', async () => {
    const work = new WorkInFlight(2);
    const started: string[] = [];
    const pieces = ['a', 'b', 'c', 'd'].map((name) => gated(started, name));
    const results = pieces.map((p) => work.run(p.work));
    await turn();
    expect(started).toEqual(['a', 'b']);
    expect(work.size).toBe(4);

    // A form to open within its trigger's life does not wait behind them.
    const urgent = gated(started, 'form');
    const opened = work.run(urgent.work, { now: true });
    await turn();
    expect(started).toEqual(['a', 'b', 'form']);
    urgent.release();
    await opened;

    pieces[1]!.release();
    await results[1];
    await turn();
    expect(started).toEqual(['a', 'b', 'form', 'c']);
    pieces[0]!.release();
    pieces[2]!.release();
    pieces[3]!.release();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
    expect(work.size).toBe(0);
  });

  it('a failure frees its place and reaches its caller; drain waits for what still waits', async () => {
    const work = new WorkInFlight(1);
    const failing = work.run(async () => {
      await turn();
      throw new Error('database away');
    });
    const after = work.run(async () => 'done');
    await expect(failing).rejects.toThrow('database away');
    expect(await work.drain(1_000)).toEqual({ running: 0 });
    expect(await after).toBe('done');
  });
});
