import { insertOnce } from '../db/insert-once';
import type { DigestDoc } from '../models/digest.model';
import type { Models } from '../models/models';

/** One digest message gathers a channel's lines of one reason for this long, then a new one starts. */
export const DIGEST_WINDOW_MS = 5 * 60_000;
/** Lines per digest message: each may be a block with its button, and a message holds 50 blocks. */
const MAX_ENTRIES = 45;

export type DigestEntry = DigestDoc['entries'][number];

/**
 * Lines that would wait too long for their channel's turn (src/services/pacing.ts), gathered per
 * channel and reason: `add` puts a line into the open digest, which its platform posts once and
 * then edits in place. Adding the same line again (a retried delivery) changes nothing.
 */
export class Digests {
  private readonly parts = new Map<string, number>();

  constructor(
    private readonly models: Models,
    private readonly now: () => Date,
  ) {}

  /** Adds the line; resolves to the id of the digest that holds it. */
  async add(platform: string, channel: string, reason: string, entry: DigestEntry): Promise<string> {
    const base = `${platform}:${channel}:${reason}:${Math.floor(this.now().getTime() / DIGEST_WINDOW_MS)}`;
    let part = this.parts.get(base) ?? 0;
    for (;;) {
      const id = `${base}:p${part}`;
      const digest = await this.models.Digest.findById(id).lean<DigestDoc>();
      if (digest?.entries.some((e) => e.recordId === entry.recordId && e.text === entry.text)) return id;
      if (digest && digest.entries.length >= MAX_ENTRIES) {
        part += 1;
        continue;
      }
      if (digest) {
        await this.models.Digest.updateOne({ _id: id }, { $addToSet: { entries: entry } });
      } else if (!(await insertOnce(this.models.Digest, { _id: id, platform, channel, reason, entries: [entry], createdAt: this.now() }))) {
        continue; // another process opened it a moment ago: add to theirs
      }
      if (this.parts.size > 1_000) this.parts.clear();
      this.parts.set(base, part);
      return id;
    }
  }

  /** Whether a digest since `since` lists the record's line already (a delivery tried again after a crash). */
  async holds(platform: string, channel: string, reason: string, recordId: string, since: Date): Promise<boolean> {
    const first = Math.floor(since.getTime() / DIGEST_WINDOW_MS);
    const last = Math.floor(this.now().getTime() / DIGEST_WINDOW_MS);
    for (let window = Math.max(first, last - 2); window <= last; window++) {
      for (let part = 0; ; part++) {
        const digest = await this.find(`${platform}:${channel}:${reason}:${window}:p${part}`);
        if (!digest) break;
        if (digest.entries.some((e) => e.recordId === recordId)) return true;
      }
    }
    return false;
  }

  find(id: string): Promise<DigestDoc | null> {
    return this.models.Digest.findById(id).lean<DigestDoc>().exec();
  }
}
