import type { Button, KnownBlock } from '@slack/types';
import type { ActionView } from '../../src/views/view-model';
import { LIMITS, truncate } from './render/block-kit-limits';
import { renderActionElement } from './render/render-card';

/** A page as one line of a message listing several, with its Acknowledge. */
export interface BatchedPage {
  notificationId: string;
  line: string;
  action?: ActionView;
}

type Location = { channel: string; messageId: string };

/** Pages one message lists at most (a header and a section each stay well inside Block Kit's 50 blocks). */
const MAX_PAGES = 20;

/**
 * A person's pages that wait for their direct message's turn wait together: the message posted
 * at that turn carries every page that joined meanwhile. Someone paged faster than Slack's message
 * a second per channel so gets a new message at each turn, which notifies them, where an edit of
 * an earlier message would not; and no page waits for the workspace's edits (chat.update, Tier 3).
 * Each page is still its own delivery: the batch's failure is each page's, tried again alone.
 */
export class PageBatches {
  private readonly waiting = new Map<string, { pages: BatchedPage[]; posted: Promise<Location> }>();

  /**
   * Joins the batch of `channel` (a workspace's conversation) not drawn yet, or starts one: `send`
   * waits for the channel's turn, then calls `draw` for the pages the message carries (none join after that).
   */
  join(channel: string, page: BatchedPage, send: (draw: () => BatchedPage[]) => Promise<Location>): Promise<Location> {
    const open = this.waiting.get(channel);
    if (open && open.pages.length < MAX_PAGES) {
      open.pages.push(page);
      return open.posted;
    }
    const batch = { pages: [page], posted: Promise.resolve<Location>({ channel: '', messageId: '' }) };
    const close = () => {
      if (this.waiting.get(channel) === batch) this.waiting.delete(channel);
    };
    this.waiting.set(channel, batch);
    batch.posted = send(() => {
      close();
      return batch.pages;
    }).finally(close);
    return batch.posted;
  }
}

/** A message listing pages: the header, then each page's line with its button. */
export function pageListBlocks(header: string, pages: readonly { line: string; action?: ActionView }[]): KnownBlock[] {
  return [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(header, LIMITS.sectionText) } },
    ...pages.map((p): KnownBlock => ({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(p.line, LIMITS.sectionText) },
      ...(p.action ? { accessory: renderActionElement(p.action) as Button } : {}),
    })),
  ];
}
