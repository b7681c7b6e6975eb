import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Pacer } from '../../src/services/pacing';
import { methodPace, workspaceOf } from './slack-limits';

/** A home waits at most this long for its turn; later, the person's next visit shows it. */
const MAX_WAIT_MS = 45_000;

interface Waiting {
  blocks: KnownBlock[];
  published: Promise<boolean>;
}

/**
 * Publishes people's App Home within views.publish's limit (a method tier per workspace): each
 * publish takes a turn first. A person's newer home replaces one still waiting for its turn, so at
 * most one waits per person and only the latest is drawn; a home whose turn is too far off is left
 * for the person's next visit (opening the tab asks again).
 */
export class HomePublisher {
  private readonly waiting = new Map<string, Waiting>();

  constructor(
    private readonly pacer: Pacer,
    private readonly stopping?: AbortSignal,
  ) {}

  /** Resolves to whether it was published (false: left for the next visit). */
  publish(client: WebClient, userId: string, blocks: KnownBlock[]): Promise<boolean> {
    const workspace = workspaceOf(client);
    const key = `${workspace}:${userId}`;
    const queued = this.waiting.get(key);
    if (queued) {
      queued.blocks = blocks;
      return queued.published;
    }
    const entry: Waiting = { blocks, published: Promise.resolve(false) };
    entry.published = (async () => {
      try {
        const { ready } = await this.pacer.waitForTurn(methodPace(workspace, 'views.publish'), MAX_WAIT_MS, this.stopping);
        if (!ready) return false;
      } finally {
        // From here a newer home waits for a turn of its own.
        this.waiting.delete(key);
      }
      await client.views.publish({ user_id: userId, view: { type: 'home', blocks: entry.blocks } });
      return true;
    })();
    this.waiting.set(key, entry);
    return entry.published;
  }
}
