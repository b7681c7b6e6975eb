import { Worker } from 'node:worker_threads';

/**
 * Runs the module `filename` in a worker thread with `data` and resolves with the one message it
 * posts back: a load generator must not share the event loop of the server it measures.
 */
export function inWorker<T>(filename: string, data: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(filename, { workerData: data });
    worker.once('message', (result: T) => {
      void worker.terminate();
      resolve(result);
    });
    worker.once('error', reject);
  });
}
