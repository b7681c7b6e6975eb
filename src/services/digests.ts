import { insertOnce } from '../db/insert-once';
import type { DigestDoc, DigestLineDoc } from '../models/digest.model';
import type { Models } from '../models/models';
import type { ActionView } from '../views/view-model';

/** One digest message gathers a channel's lines of one reason for this long, then a new one starts. */
export const DIGEST_WINDOW_MS = 5 * 60_000;
/** Lines per digest message: a message holds 40,000 characters of text, or 50 blocks (a line with its button is one). */
const MAX_LINES = 300;
const MAX_LINES_WITH_ACTIONS = 45;
const READ_BATCH = 16;
const MEMO_LIMIT = 1_000;

export interface DigestEntry {
  recordId: string;
  text: string;
  action?: ActionView;
}

/**
 * Lines that would wait too long for their channel's turn (src/services/pacing.ts), gathered per
 * channel and reason: `add` puts a line into the open digest, which its platform posts once and
 * then edits in place. Everything is inserted, nothing updated (see DigestLineDoc), so processes
 * adding at once lose nothing; adding the same record's line again changes nothing.
 */
export class Digests {
  private readonly parts = new Map<string, number>();
  private readonly nextSlot = new Map<string, number>();
  /** Lines read so far per digest: never rewritten, so a flush reads only those added since. */
  private readonly linesRead = new Map<string, DigestEntry[]>();

  constructor(
    private readonly models: Models,
    private readonly now: () => Date,
  ) {}

  /** Adds the line; resolves to the id of the digest that holds it. */
  async add(platform: string, channel: string, reason: string, entry: DigestEntry): Promise<string> {
    const base = `${platform}:${channel}:${reason}:${Math.floor(this.now().getTime() / DIGEST_WINDOW_MS)}`;
    const max = entry.action ? MAX_LINES_WITH_ACTIONS : MAX_LINES;
    // Every part is looked in for the record's line (a retry may come to another process); lines go into the open one.
    const open = this.parts.get(base) ?? 0;
    for (let part = 0; ; part++) {
      const id = `${base}:p${part}`;
      if (await this.models.DigestLine.findById(`${id}#${entry.recordId}`).lean()) return id;
      if (part < open) continue;
      await insertOnce(this.models.Digest, { _id: id, platform, channel, reason, createdAt: this.now() });
      let slot = this.nextSlot.get(id) ?? 0;
      while (slot < max && !(await insertOnce(this.models.DigestLine, { _id: `${id}:${slot}`, digestId: id, ...entry, createdAt: this.now() }))) slot += 1;
      if (slot >= max) continue; // full: the next part
      // Marked after its slot: a crash between the two shows the line twice at worst, never not at all.
      await insertOnce(this.models.DigestLine, { _id: `${id}#${entry.recordId}`, digestId: id, recordId: entry.recordId, createdAt: this.now() });
      this.remember(this.nextSlot, id, slot + 1);
      this.remember(this.parts, base, part);
      return id;
    }
  }

  /** The digest since `since` that lists the record's line already (a delivery tried again after a crash), if any. */
  async holding(platform: string, channel: string, reason: string, recordId: string, since: Date): Promise<string | undefined> {
    const first = Math.floor(since.getTime() / DIGEST_WINDOW_MS);
    const last = Math.floor(this.now().getTime() / DIGEST_WINDOW_MS);
    for (let window = Math.max(first, last - 2); window <= last; window++) {
      for (let part = 0; ; part++) {
        const id = `${platform}:${channel}:${reason}:${window}:p${part}`;
        if (!(await this.models.Digest.findById(id).lean())) break;
        if (await this.models.DigestLine.findById(`${id}#${recordId}`).lean()) return id;
      }
    }
    return undefined;
  }

  find(id: string): Promise<DigestDoc | null> {
    return this.models.Digest.findById(id).lean<DigestDoc>().exec();
  }

  /**
   * The digest's lines in the order they came, read slot by slot by `_id` up to the first free
   * one: those read before are known, the rest read in batches of 1, 2, 4… up to READ_BATCH.
   */
  async lines(id: string): Promise<DigestEntry[]> {
    const lines = [...(this.linesRead.get(id) ?? [])];
    for (let size = 1; ; size = Math.min(READ_BATCH, size * 2)) {
      const first = lines.length;
      const batch = await Promise.all(Array.from({ length: size }, (_, i) => this.models.DigestLine.findById(`${id}:${first + i}`).lean<DigestLineDoc>()));
      const end = batch.indexOf(null);
      const found = (end < 0 ? batch : batch.slice(0, end)) as DigestLineDoc[];
      lines.push(...found.map((line) => ({ recordId: line.recordId, text: line.text ?? '', ...(line.action ? { action: line.action } : {}) })));
      if (end >= 0) break;
    }
    if (this.linesRead.size >= MEMO_LIMIT) this.linesRead.clear();
    if ((this.linesRead.get(id)?.length ?? 0) < lines.length) this.linesRead.set(id, lines);
    return [...lines];
  }

  private remember(memo: Map<string, number>, key: string, value: number): void {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(key, value);
  }
}
