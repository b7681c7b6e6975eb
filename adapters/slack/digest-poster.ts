import type { WebClient } from '@slack/web-api';
import { t } from '../../src/i18n/translate';
import type { DigestDoc } from '../../src/models/digest.model';
import type { DigestEntry } from '../../src/services/digests';
import type { Pace } from '../../src/services/pacing';
import { ATTEMPT_LEASE_MS } from '../../src/services/notifier';
import type { ItsmCatalog } from '../../src/config/itsm-catalog';
import type { CardLocations } from '../../src/services/card-locations';
import type { Digests } from '../../src/services/digests';
import { channelPace, methodPace, workspaceOf } from './slack-limits';

type Paced = <T>(pace: Pace, call: () => Promise<T>) => Promise<T>;
type Location = { channel: string; messageId: string };

const DIGEST_METADATA = 'opsdesk_digest';
const SLA_REASON = /^sla\.(response|resolution)\.(\d+)$/;

/**
 * Posts a channel's digest of lines (src/services/digests.ts): once, then edited in place as lines
 * are added. Flushes of one digest run one after another in this process, and a line waits for the
 * first flush that starts after it was added, so many lines share one edit.
 */
export class SlackDigestPoster {
  private readonly chains = new Map<string, Promise<Location>>();
  private readonly queued = new Map<string, Promise<Location>>();

  constructor(
    private readonly deps: { digests: Digests; cards: CardLocations; catalog: ItsmCatalog },
    private readonly paced: Paced,
  ) {}

  /** Adds the line to its channel's digest and resolves once a post or edit showing it is made. */
  async add(client: WebClient, channel: string, reason: string, entry: DigestEntry): Promise<Location> {
    const id = await this.deps.digests.add('slack', channel, reason, entry);
    const waiting = this.queued.get(id);
    if (waiting) return waiting;
    const previous = this.chains.get(id) ?? Promise.resolve(undefined);
    const flush = previous
      .catch(() => undefined)
      .then(() => {
        this.queued.delete(id);
        return this.flush(client, id);
      });
    this.queued.set(id, flush);
    this.chains.set(id, flush);
    void flush.catch(() => undefined).finally(() => this.chains.get(id) === flush && this.chains.delete(id));
    return flush;
  }

  private async flush(client: WebClient, id: string): Promise<Location> {
    const digest = (await this.deps.digests.find(id)) as DigestDoc;
    const text = this.render(digest);
    const ws = workspaceOf(client);
    const known = await this.deps.cards.find(id, 'slack');
    if (known?.messageId) {
      // Where it landed (posting to a person's user id lands in a DM channel of its own id).
      const where = { channel: known.channel, messageId: known.messageId };
      await this.paced(methodPace(ws, 'chat.update'), () => client.chat.update({ channel: where.channel, ts: where.messageId, text }));
      return where;
    }
    const claimedAt = known ? new Date(known.claimedAt ?? known.at).getTime() : 0;
    const mine = !known && (await this.deps.cards.claimFirstPost(id, 'slack', digest.channel, id, new Date()));
    if (!mine && Date.now() - claimedAt < ATTEMPT_LEASE_MS) throw new Error('the digest is being posted by another delivery');
    const posted = await this.paced(channelPace(ws, digest.channel), () =>
      client.chat.postMessage({ channel: digest.channel, text, metadata: { event_type: DIGEST_METADATA, event_payload: { digest_id: id } } }),
    );
    const where = { channel: posted.channel ?? digest.channel, messageId: posted.ts as string };
    await this.deps.cards.remember(id, 'slack', where.channel, where.messageId);
    return where;
  }

  private render(digest: DigestDoc): string {
    const locale = this.deps.catalog.config.defaults.locale;
    const count = digest.entries.length;
    const sla = SLA_REASON.exec(digest.reason);
    const header = sla
      ? Number(sla[2]) >= 100
        ? t(locale, 'digest.sla.breach', { count, clock: t(locale, `sla.clock.${sla[1] as 'response'}`) })
        : t(locale, 'digest.sla.warning', { count, percent: Number(sla[2]), clock: t(locale, `sla.clock.${sla[1] as 'response'}`) })
      : digest.reason === 'major-incident'
        ? t(locale, 'digest.major', { count })
        : t(locale, 'digest.other', { count });
    return [header, ...digest.entries.map((e) => `• ${e.text}`)].join('\n');
  }
}
