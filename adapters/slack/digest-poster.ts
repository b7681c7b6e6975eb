import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { pageListBlocks } from './page-batches';
import { t } from '../../src/i18n/translate';
import type { DigestDoc } from '../../src/models/digest.model';
import type { DigestEntry } from '../../src/services/digests';
import { sleep, type Pace } from '../../src/services/pacing';
import { ATTEMPT_LEASE_MS } from '../../src/services/notifier';
import type { ItsmCatalog } from '../../src/config/itsm-catalog';
import type { CardLocations } from '../../src/services/card-locations';
import type { Digests } from '../../src/services/digests';
import { channelPace, methodPace, NotYet, workspaceOf } from './slack-limits';

type Paced = <T>(pace: Pace, call: () => Promise<T>) => Promise<T>;
type Location = { channel: string; messageId: string };

const DIGEST_METADATA = 'opsdesk_digest';
/** The digests of a backed-up service channel: its new tickets, and their thread lines (folded-cards.ts). */
export const DIGEST_OF_NEW_TICKETS = 'tickets.new';
export const DIGEST_OF_TICKET_UPDATES = 'tickets.updates';
/**
 * A digest of lines that only inform is edited at most this often: chat.update is a Tier 3 method
 * (about 50 a minute for the whole workspace), so a storm's digests share fewer than one edit a second.
 */
const INFORM_EVERY_MS = 8_000;
const SLA_REASON = /^sla\.(response|resolution)\.(\d+)$/;

/**
 * Posts a channel's digest of lines (src/services/digests.ts): once, then edited in place as lines
 * are added. Flushes of one digest run one after another in this process, and a line waits for the
 * first flush that starts after it was added, so many lines share one edit.
 */
export class SlackDigestPoster {
  private readonly chains = new Map<string, Promise<Location>>();
  private readonly queued = new Map<string, Promise<Location>>();
  private readonly lastFlush = new Map<string, number>();

  constructor(
    private readonly deps: { digests: Digests; cards: CardLocations; catalog: ItsmCatalog },
    private readonly paced: Paced,
  ) {}

  /** Adds the line to its channel's digest and resolves once a post or edit showing it is made. */
  async add(client: WebClient, channel: string, reason: string, entry: DigestEntry, options: { firstTry?: boolean } = {}): Promise<Location> {
    return this.show(client, await this.deps.digests.add('slack', channel, reason, entry, options));
  }

  /**
   * Tried again, a line an earlier attempt added (since `since`, keyed by `key`) is shown where it
   * is: undefined when it was not added, so that it is added (or posted) now, never twice.
   */
  async showIfAdded(client: WebClient, channel: string, reason: string, key: string, since: Date): Promise<Location | undefined> {
    const holding = await this.deps.digests.holding('slack', channel, reason, key, since);
    return holding ? this.show(client, holding) : undefined;
  }

  /**
   * Resolves once a post or edit of the digest drawn after this call shows what it holds now: the
   * flush not yet drawn (waiting for its pause or its turn) takes it, else the next one.
   */
  show(client: WebClient, id: string): Promise<Location> {
    const waiting = this.queued.get(id);
    if (waiting) return waiting;
    const previous = this.chains.get(id) ?? Promise.resolve(undefined);
    const flush = previous
      .catch(() => undefined)
      .then(async () => {
        // Lines that only inform are shown every few seconds, sparing the workspace's edits for
        // what someone must act on (pages are never in a digest: page-batches.ts).
        const pause = (this.lastFlush.get(id) ?? 0) + INFORM_EVERY_MS - Date.now();
        if (pause > 0) await sleep(pause);
        if (this.lastFlush.size > 1_000) this.lastFlush.clear();
        this.lastFlush.set(id, Date.now());
        // Drawn once its turn has come: what was added while it waited is in it.
        return this.flush(client, id, () => this.queued.get(id) === flush && this.queued.delete(id));
      });
    this.queued.set(id, flush);
    this.chains.set(id, flush);
    void flush
      .catch(() => undefined)
      .finally(() => {
        if (this.queued.get(id) === flush) this.queued.delete(id);
        if (this.chains.get(id) === flush) this.chains.delete(id);
      });
    return flush;
  }

  /** Posts or edits the digest, drawing it (`drawing` said first) only once the call's turn has come. */
  private async flush(client: WebClient, id: string, drawing: () => void): Promise<Location> {
    const digest = (await this.deps.digests.find(id)) as DigestDoc;
    const draw = async () => {
      drawing();
      const lines = await this.deps.digests.lines(id);
      const text = this.render(digest, lines);
      return { text, ...this.blocksOf(lines, text) };
    };
    const ws = workspaceOf(client);
    // Where it landed (posting to a person's user id lands in a DM channel of its own id); a digest never moves.
    const posted = await this.deps.cards.postedAt(id, 'slack');
    if (posted) {
      const where = { channel: posted.channel, messageId: posted.messageId };
      await this.paced(methodPace(ws, 'chat.update'), async () => client.chat.update({ channel: where.channel, ts: where.messageId, ...(await draw()) }));
      return where;
    }
    const known = await this.deps.cards.find(id, 'slack');
    const claimedAt = known ? new Date(known.claimedAt ?? known.at).getTime() : 0;
    const mine = !known && (await this.deps.cards.claimFirstPost(id, 'slack', digest.channel, id, new Date()));
    // Another process is posting it: once posted, this line's edit follows.
    if (!mine && Date.now() - claimedAt < ATTEMPT_LEASE_MS) throw new NotYet(2_000, 'the digest is being posted by another delivery');
    const made = await this.paced(channelPace(ws, digest.channel), async () =>
      client.chat.postMessage({ channel: digest.channel, ...(await draw()), metadata: { event_type: DIGEST_METADATA, event_payload: { digest_id: id } } }),
    );
    const where = { channel: made.channel ?? digest.channel, messageId: made.ts as string };
    await this.deps.cards.remember(id, 'slack', where.channel, where.messageId);
    return where;
  }

  /** Lines that came with an action as sections with their button; plain lines need no blocks. */
  private blocksOf(lines: readonly DigestEntry[], text: string): { blocks?: KnownBlock[] } {
    if (!lines.some((e) => e.action)) return {};
    const [header = ''] = text.split('\n');
    return { blocks: pageListBlocks(header, lines.map((e) => ({ line: e.text, ...(e.action ? { action: e.action } : {}) }))) };
  }

  private render(digest: DigestDoc, lines: readonly DigestEntry[]): string {
    const locale = this.deps.catalog.config.defaults.locale;
    const count = lines.length;
    const sla = SLA_REASON.exec(digest.reason);
    const header = sla
      ? Number(sla[2]) >= 100
        ? t(locale, 'digest.sla.breach', { count, clock: t(locale, `sla.clock.${sla[1] as 'response'}`) })
        : t(locale, 'digest.sla.warning', { count, percent: Number(sla[2]), clock: t(locale, `sla.clock.${sla[1] as 'response'}`) })
      : digest.reason === 'major-incident'
        ? t(locale, 'digest.major', { count })
        : digest.reason === DIGEST_OF_NEW_TICKETS
          ? t(locale, 'digest.tickets', { count })
          : t(locale, 'digest.other', { count });
    return [header, ...lines.map((e) => `• ${e.text}`)].join('\n');
  }
}
