import { Worker } from 'node:worker_threads';

/** What the work thread says: ready to take work, one request done (or failed), stopped. */
export type FromWorkThread =
  | { kind: 'ready' }
  | { kind: 'cannot-start'; error: string }
  | { kind: 'done'; id: number; error?: string }
  /** A step of its stop failed (logged there): what it was waiting for. */
  | { kind: 'step-failed'; waitingFor: string }
  | { kind: 'stopped' };

/** A request handed over and not done when the stop ended the thread: the restart replays it from the intake. */
export class LeftUnfinished extends Error {
  constructor() {
    super('the process stopped before the work thread did it');
  }
}

/** What the work thread is told: a request's work to do, or to stop. */
export type ToWorkThread<Request> = { kind: 'work'; id: number; request: Request } | { kind: 'stop' };

/**
 * A thread that does the work following requests' acknowledgements, so that an acknowledgement
 * never waits behind earlier requests' work on one event loop (a process whose event loop is busy
 * answers every request late, however little the request itself costs).
 *
 * A request handed over resolves once the thread has done it. The thread's loss is the process's:
 * `onLost` is told (the process exits, as without its database), and what was handed over and not
 * done stays in the intake for another process or the restart to replay.
 */
export class WorkThread<Request> {
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private nextId = 1;
  /** While stopping: the steps of its stop that failed, whether it said it stopped, whether it is being ended. */
  private stopping: { failed: string[]; said: boolean; ending: boolean; ended: () => void } | undefined;
  private exited = false;

  private constructor(
    private readonly worker: Worker,
    onLost: (reason: string) => void,
  ) {
    worker.on('message', (message: FromWorkThread) => {
      if (message.kind === 'done') {
        const waiting = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error === undefined) waiting?.resolve();
        else waiting?.reject(new Error(message.error));
      } else if (message.kind === 'step-failed') this.stopping?.failed.push(message.waitingFor);
      else if (message.kind === 'stopped' && this.stopping) {
        this.stopping.said = true;
        this.stopping.ended();
      }
    });
    worker.on('error', (error) => {
      if (!this.stopping) onLost(`the work thread failed: ${error.message}`);
    });
    worker.on('exit', (code) => {
      this.exited = true;
      // Ended by the process's stop, what it had not done is in the intake (the stop said how many).
      const lost = this.stopping ? new LeftUnfinished() : new Error(`the work thread exited (code ${code})`);
      for (const waiting of this.pending.values()) waiting.reject(lost);
      this.pending.clear();
      if (!this.stopping) return onLost(lost.message);
      // Ended in its stop by its own failure, not by the process.
      if (!this.stopping.said && !this.stopping.ending) this.stopping.failed.push(`its stop, which ended the thread (code ${code})`);
      this.stopping.ended();
    });
  }

  /** Starts the thread running `filename` with `data`; resolves once it can take work. */
  static start<Request>(filename: string, data: unknown, onLost: (reason: string) => void): Promise<WorkThread<Request>> {
    const worker = new Worker(filename, { workerData: data });
    return new Promise((resolve, reject) => {
      const exited = (code: number) => reject(new Error(`the work thread exited (code ${code}) before it was ready`));
      worker.once('error', reject);
      worker.once('exit', exited);
      worker.once('message', (message: FromWorkThread) => {
        worker.off('error', reject);
        worker.off('exit', exited);
        if (message.kind === 'ready') resolve(new WorkThread<Request>(worker, onLost));
        else {
          void worker.terminate();
          reject(new Error(message.kind === 'cannot-start' ? message.error : `the work thread said ${message.kind} before it was ready`));
        }
      });
    });
  }

  /** How many requests the thread holds now. */
  get size(): number {
    return this.pending.size;
  }

  /** Hands a request's work over; resolves when it is done (a failure there was told to the person). */
  hand(request: Request): Promise<void> {
    if (this.exited) return Promise.reject(new Error('the work thread has ended'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ kind: 'work', id, request } satisfies ToWorkThread<Request>);
    });
  }

  /**
   * Asks the thread to finish and close what it opened (after the work handed to it is done); then
   * it ends. Resolves whether it stopped in time (past `timeoutMs` it is ended where it is: what it
   * held stays in the intake); rejects, once it has ended, when steps of its stop failed (each told
   * as it failed, so also when it was ended before its last).
   */
  async stop(timeoutMs: number): Promise<{ inTime: boolean }> {
    // Already gone (its loss was told): nothing to wait for.
    if (this.exited) return { inTime: true };
    const stopping: NonNullable<typeof this.stopping> = { failed: [], said: false, ending: false, ended: () => undefined };
    const ended = new Promise<boolean>((resolve) => (stopping.ended = () => resolve(true)));
    this.stopping = stopping;
    this.worker.postMessage({ kind: 'stop' } satisfies ToWorkThread<Request>);
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([ended, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))]);
    clearTimeout(timer);
    stopping.ending = true;
    await this.worker.terminate();
    if (stopping.failed.length > 0) {
      throw new Error(`the work thread's stop failed at: ${stopping.failed.join('; ')}${inTime ? '' : ', and it was ended before it stopped'} (logged by the thread)`);
    }
    return { inTime };
  }
}
