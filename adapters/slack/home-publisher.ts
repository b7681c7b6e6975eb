import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { sleep, type Pacer } from '../../src/services/pacing';
import { methodPace, rateLimitedForMs, workspaceOf } from './slack-limits';

/** A home waits at most this long for its turn; later, the person's next visit shows it. */
const MAX_WAIT_MS = 45_000;

interface Waiting {
  /** Draws the home; the latest asked for is the one drawn, once the turn has come. */
  draw: () => Promise<KnownBlock[]>;
  published: Promise<boolean>;
}

/**
 * Publishes people's App Home within views.publish's limit (a method tier per workspace): each
 * publish takes a turn first, and the home is drawn only then (reading the person's lists costs
 * some thirty database commands). A person's opens while one waits for its turn are answered by
 * that one, drawn when its turn comes, so at most one waits per person; a home whose turn is too
 * far off is neither drawn nor published, and is left for the person's next visit (opening the
 * tab asks again). Slack may still refuse a publish whose turn came (its window counts calls as
 * they arrive, and a busy process sends those of several turns together): the home is published
 * again at a turn after the Retry-After, if that comes within the wait, else left for the next visit.
 */
export class HomePublisher {
  private readonly waiting = new Map<string, Waiting>();

  constructor(
    private readonly pacer: Pacer,
    private readonly stopping?: AbortSignal,
  ) {}

  /** Resolves to whether it was published (false: left for the next visit). */
  publish(client: WebClient, userId: string, draw: () => Promise<KnownBlock[]>): Promise<boolean> {
    const workspace = workspaceOf(client);
    const key = `${workspace}:${userId}`;
    const queued = this.waiting.get(key);
    if (queued) {
      queued.draw = draw;
      return queued.published;
    }
    const entry: Waiting = { draw, published: Promise.resolve(false) };
    const deadline = Date.now() + MAX_WAIT_MS;
    entry.published = (async () => {
      try {
        const { ready } = await this.pacer.waitForTurn(methodPace(workspace, 'views.publish'), MAX_WAIT_MS, this.stopping);
        if (!ready) return false;
      } finally {
        // From here a newer home waits for a turn of its own.
        this.waiting.delete(key);
      }
      const refusedForMs = await publishOrRefusal(client, userId, await entry.draw());
      if (refusedForMs === undefined) return true;
      if (Date.now() + refusedForMs > deadline) return false;
      await sleep(refusedForMs, this.stopping);
      if (this.stopping?.aborted) return false;
      // Again at a turn of its own (the calls whose turns came meanwhile are Slack's to count too),
      // drawn again: a newer open may have published its home while this one waited.
      const { ready } = await this.pacer.waitForTurn(methodPace(workspace, 'views.publish'), Math.max(0, deadline - Date.now()), this.stopping);
      return ready && (await publishOrRefusal(client, userId, await entry.draw())) === undefined;
    })();
    this.waiting.set(key, entry);
    return entry.published;
  }
}

/** Publishes the home; undefined once published, or how long Slack's limit asks to wait. Other failures throw. */
async function publishOrRefusal(client: WebClient, userId: string, blocks: KnownBlock[]): Promise<number | undefined> {
  try {
    await client.views.publish({ user_id: userId, view: { type: 'home', blocks } });
    return undefined;
  } catch (error) {
    const refusedForMs = rateLimitedForMs(error);
    if (refusedForMs === undefined) throw error;
    return refusedForMs;
  }
}
