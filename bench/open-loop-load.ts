import { parentPort, workerData } from 'node:worker_threads';
import { inWorker } from './in-worker';
import { postToSlackEndpoint } from '../test/support/slack/signed-request';

export interface LoadPlan {
  url: string;
  ratePerSecond: number;
  /** Request bodies, sent in order, one every 1/rate s. */
  bodies: { kind: string; body: string }[];
}

export interface LoadResult {
  latencies: Record<string, number[]>;
  errors: number;
  seconds: number;
}

/**
 * Sends the plan's requests from a worker thread: the load generator must not share the event
 * loop of the server it measures. Open loop: a request leaves on schedule whatever earlier ones do.
 */
export function runOpenLoopLoad(plan: LoadPlan): Promise<LoadResult> {
  return inWorker<LoadResult>(__filename, plan);
}

async function generate(plan: LoadPlan): Promise<LoadResult> {
  const latencies: Record<string, number[]> = {};
  let errors = 0;
  const pending: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < plan.bodies.length; i++) {
    const wait = started + (i * 1000) / plan.ratePerSecond - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const { kind, body } = plan.bodies[i]!;
    pending.push(
      postToSlackEndpoint(plan.url, { body, contentType: 'application/x-www-form-urlencoded' }).then(
        (r) => {
          if (r.status !== 200) errors++;
          (latencies[kind] ??= []).push(r.ms);
        },
        () => {
          errors++;
        },
      ),
    );
  }
  await Promise.all(pending);
  return { latencies, errors, seconds: (performance.now() - started) / 1000 };
}

if (parentPort && workerData) {
  void generate(workerData as LoadPlan).then((result) => parentPort?.postMessage(result));
}
