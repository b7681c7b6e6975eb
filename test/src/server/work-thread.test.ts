import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeftUnfinished, WorkThread } from '../../../src/server/work-thread';

/**
 * A stand-in for a work thread, written as the protocol says: ready, then each request done after
 * `ms` (or failed with `fail`), and `exit` ends the thread without a word, as a crash would. Told
 * to stop, it says which steps failed (`stopFails`), never answers (`stopHangs`), or dies
 * (`stopDies`).
 */
const STAND_IN = `
const { parentPort, workerData } = require('node:worker_threads');
if (workerData.cannotStart) parentPort.postMessage({ kind: 'cannot-start', error: 'no database' });
else parentPort.postMessage({ kind: 'ready' });
parentPort.on('message', (message) => {
  if (message.kind === 'stop') {
    for (const waitingFor of workerData.stopFails ?? []) parentPort.postMessage({ kind: 'step-failed', waitingFor });
    if (workerData.stopHangs) return;
    if (workerData.stopDies) throw new Error('the database went away');
    return parentPort.postMessage({ kind: 'stopped' });
  }
  const { ms = 0, fail, exit } = message.request;
  if (exit) process.exit(3);
  setTimeout(() => parentPort.postMessage({ kind: 'done', id: message.id, ...(fail ? { error: fail } : {}) }), ms);
});
`;

/** The niceness of the calling thread, from /proc. */
const PRIORITY_PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readlinkSync, readFileSync } = require('node:fs');
const { lowerThisThreadsPriority } = require(workerData.module);
const niceOf = (tid) => Number(readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')[16]);
const lowered = lowerThisThreadsPriority(7);
const tid = readlinkSync('/proc/thread-self').split('/').pop();
parentPort.postMessage({ lowered, nice: niceOf(tid), mainNice: niceOf(process.pid) });
`;

describe('the work thread', () => {
  let dir: string;
  let file: string;
  const lost: string[] = [];
  const threads: WorkThread<unknown>[] = [];
  const start = async (data: unknown = {}) => {
    const thread = await WorkThread.start<unknown>(file, data, (reason) => lost.push(reason));
    threads.push(thread);
    return thread;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'opsdesk-work-thread-'));
    file = join(dir, 'stand-in.js');
    writeFileSync(file, STAND_IN);
  });
  afterEach(() => (lost.length = 0));
  afterAll(async () => {
    await Promise.all(threads.map((t) => t.stop(1000)));
    rmSync(dir, { recursive: true, force: true });
  });

  it('resolves each request when the thread has done it, and rejects one that failed there', async () => {
    const thread = await start();
    const order: string[] = [];
    const slow = thread.hand({ ms: 200 }).then(() => order.push('slow'));
    const quick = thread.hand({ ms: 10 }).then(() => order.push('quick'));
    expect(thread.size).toBe(2);
    await Promise.all([slow, quick]);
    expect(order).toEqual(['quick', 'slow']);
    await expect(thread.hand({ fail: 'the listener threw' })).rejects.toThrow('the listener threw');
    expect(thread.size).toBe(0);
    expect(lost).toEqual([]);
  });

  it('a thread that cannot start says why, and nothing is started', async () => {
    await expect(WorkThread.start(file, { cannotStart: true }, () => undefined)).rejects.toThrow('no database');
  });

  it("a thread's death rejects what it held and is told as its loss", async () => {
    const thread = await start();
    const held = thread.hand({ ms: 10_000 });
    void thread.hand({ exit: true }).catch(() => undefined);
    await expect(held).rejects.toThrow(/the work thread exited \(code 3\)/);
    expect(lost).toEqual([expect.stringMatching(/exited \(code 3\)/)]);
  });

  it('a request still held when the stop ends the thread is rejected as left unfinished (the restart replays it), not as a failure', async () => {
    const thread = await start({ stopHangs: true });
    const held = thread.hand({ ms: 10_000 });
    held.catch(() => undefined);
    expect(await thread.stop(200)).toEqual({ inTime: false });
    await expect(held).rejects.toBeInstanceOf(LeftUnfinished);
    expect(lost).toEqual([]);
  });

  it('stopping a thread that already died returns at once instead of waiting out its timeout', async () => {
    const thread = await start();
    await thread.hand({ exit: true }).catch(() => undefined);
    const started = Date.now();
    await thread.stop(60_000);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('stopped, it ends without being told as lost', async () => {
    const thread = await start();
    await thread.hand({ ms: 5 });
    await expect(thread.stop(2000)).resolves.toEqual({ inTime: true });
    expect(lost).toEqual([]);
  });

  it("a stop whose steps failed there rejects naming them, once the thread has ended", async () => {
    const thread = await start({ stopFails: ['the intake to hand over', 'the database connection to close'] });
    await expect(thread.stop(2000)).rejects.toThrow("the work thread's stop failed at: the intake to hand over; the database connection to close");
    await expect(thread.hand({})).rejects.toThrow(/ended/);
    expect(lost).toEqual([]);
  });

  it('a thread ended before its stop ends: the steps that had failed are named all the same', async () => {
    const thread = await start({ stopFails: ['the intake to hand over'], stopHangs: true });
    await expect(thread.stop(300)).rejects.toThrow("the work thread's stop failed at: the intake to hand over, and it was ended before it stopped");
    expect(lost).toEqual([]);
  });

  it('a thread that dies in its stop: the stop rejects saying so, and it is not told as lost', async () => {
    const thread = await start({ stopDies: true });
    await expect(thread.stop(5000)).rejects.toThrow(/its stop, which ended the thread/);
    expect(lost).toEqual([]);
  });

  it('a thread that does not stop within the timeout is ended, and the stop says it was not in time', async () => {
    const thread = await start({ stopHangs: true });
    const started = Date.now();
    await expect(thread.stop(300)).resolves.toEqual({ inTime: false });
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(thread.hand({})).rejects.toThrow(/ended/);
  });

  it('lowers the priority of its own thread only (Linux: a nice value per thread)', async () => {
    const { Worker } = await import('node:worker_threads');
    const probe = join(dir, 'probe.js');
    writeFileSync(probe, PRIORITY_PROBE);
    const module = join(__dirname, '..', '..', '..', 'dist', 'src', 'server', 'thread-priority.js');
    const answer = await new Promise<{ lowered: boolean; nice: number; mainNice: number }>((resolve, reject) => {
      const worker = new Worker(probe, { workerData: { module } });
      worker.once('message', (m) => void worker.terminate().then(() => resolve(m)));
      worker.once('error', reject);
    });
    const ownNice = Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[16]);
    expect(answer).toEqual({ lowered: true, nice: Math.min(19, ownNice + 7), mainNice: ownNice });
  });
});
