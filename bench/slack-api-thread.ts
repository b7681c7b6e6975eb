import { parentPort, Worker, workerData } from 'node:worker_threads';
import { RecordingSlackApi, type RecordedCall, type SlackUser } from '../test/support/slack/recording-slack-api';

type Ask = { id: number; count: string } | { id: number; stop: true };

/**
 * The recording stand-in for Slack's Web API in a thread of its own: Slack is not in opsdesk's
 * process, so answering its calls must not take the time of the thread that answers Slack's
 * requests. What it recorded is counted there, with a filter written as the source of a predicate.
 */
export class SlackApiThread {
  private next = 1;
  private readonly waiting = new Map<number, (n: number) => void>();

  private constructor(
    private readonly worker: Worker,
    readonly url: string,
    private readonly responseBase: string,
  ) {
    worker.on('message', (answer: { id: number; n: number }) => {
      this.waiting.get(answer.id)?.(answer.n);
      this.waiting.delete(answer.id);
    });
  }

  static start(users: SlackUser[]): Promise<SlackApiThread> {
    const worker = new Worker(__filename, { workerData: { users } });
    return new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (ready: { url: string; responseBase: string }) => resolve(new SlackApiThread(worker, ready.url, ready.responseBase)));
    });
  }

  /** A response_url that leads to the stand-in. */
  responseUrl(id: string): string {
    return `${this.responseBase}${id}`;
  }

  /** How many recorded calls `filter` (the source of `(call: RecordedCall) => boolean`) keeps. */
  count(filter: string): Promise<number> {
    return this.ask({ count: filter });
  }

  async stop(): Promise<void> {
    await this.ask({ stop: true });
    await this.worker.terminate();
  }

  private ask(question: { count: string } | { stop: true }): Promise<number> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ id, ...question });
    });
  }
}

async function serve(port: NonNullable<typeof parentPort>, users: SlackUser[]): Promise<void> {
  const api = new RecordingSlackApi();
  await api.start();
  for (const user of users) api.users.set(user.id, user);
  port.on('message', (ask: Ask) => {
    if ('stop' in ask) {
      void api.stop().then(() => port.postMessage({ id: ask.id, n: 0 }));
      return;
    }
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the bench's own filters
    const keep = new Function(`return (${ask.count});`)() as (call: RecordedCall) => boolean;
    port.postMessage({ id: ask.id, n: api.calls.filter(keep).length });
  });
  port.postMessage({ url: api.url, responseBase: api.responseUrl('') });
}

if (parentPort && (workerData as { users?: SlackUser[] } | null)?.users) void serve(parentPort, (workerData as { users: SlackUser[] }).users);
