import { insertOnce } from '../db/insert-once';
import type { DigestDoc, DigestLineDoc } from '../models/digest.model';
import type { Models } from '../models/models';
import type { ActionView } from '../views/view-model';
import { OneAtATime } from './one-at-a-time';

/** One digest message gathers a channel's lines of one reason for this long, then a new one starts. */
export const DIGEST_WINDOW_MS = 5 * 60_000;
/** Lines per digest message: a message holds 40,000 characters of text, or 50 blocks (a line with its button is one). */
const MAX_LINES = 300;
const MAX_LINES_WITH_ACTIONS = 45;
/** Slots per block, so that a part holds a whole number of blocks (300 / 20, 45 / 5). */
const BLOCK_LINES = 20;
const BLOCK_LINES_WITH_ACTIONS = 5;
const READ_BATCH = 16;
const MEMO_LIMIT = 1_000;

export interface DigestEntry {
  recordId: string;
  text: string;
  action?: ActionView;
}

/** What this process knows of one digest part. */
interface PartMemo {
  /** The block this process is filling (its first slot and its next), if any. */
  block?: { first: number; next: number };
  /** The lowest block index not yet tried for a claim, and the blocks this process claimed. */
  nextBlock: number;
  own: Set<number>;
  /** Lines this process added, by slot: a flush here need not read them back. */
  added: Map<number, DigestEntry>;
  /** Per claimed block (in order), its lines read so far: never rewritten, so a flush reads only what is new. */
  read: DigestEntry[][];
}

/**
 * Lines that would wait too long for their channel's turn (src/services/pacing.ts), gathered per
 * channel and reason: `add` puts a line into the open digest, which its platform posts once and
 * then edits in place. Everything is inserted, nothing updated (see DigestLineDoc), so processes
 * adding at once lose nothing; adding the same record's line again changes nothing.
 *
 * A part's slots come in blocks; a process claims a block (by inserting its claim) and fills it
 * alone, so two processes adding to one digest never try each other's slots (one insert a line,
 * where taking slots one by one cost a refused insert for every line the other had added since).
 */
export class Digests {
  private readonly parts = new Map<string, number>();
  private readonly memos = new Map<string, PartMemo>();
  /** Digests known to be stored, and those read. */
  private readonly known = new Set<string>();
  private readonly read = new Map<string, DigestDoc>();
  /** Per digest, this process's adds, one after another. */
  private readonly adding = new OneAtATime();

  constructor(
    private readonly models: Models,
    private readonly now: () => Date,
  ) {}

  /**
   * Adds the line; resolves to the id of the digest that holds it. `firstTry`: the line's first
   * delivery attempt, so it cannot be in a digest yet and nobody looks for it there.
   */
  async add(platform: string, channel: string, reason: string, entry: DigestEntry, options: { firstTry?: boolean } = {}): Promise<string> {
    const base = `${platform}:${channel}:${reason}:${Math.floor(this.now().getTime() / DIGEST_WINDOW_MS)}`;
    const shape = entry.action ? { max: MAX_LINES_WITH_ACTIONS, block: BLOCK_LINES_WITH_ACTIONS } : { max: MAX_LINES, block: BLOCK_LINES };
    // Tried again, every part is looked in for the record's line (a retry may come to another process); lines go into the open one.
    const open = this.parts.get(base) ?? 0;
    for (let part = options.firstTry ? open : 0; ; part++) {
      const id = `${base}:p${part}`;
      if (!options.firstTry && (await this.models.DigestLine.findById(`${id}#${entry.recordId}`).lean())) return id;
      if (part < open) continue;
      const slot = await this.adding.run(id, async () => {
        if (!this.known.has(id)) {
          const digest = { _id: id, platform, channel, reason, blockLines: shape.block, createdAt: this.now() };
          // Stored once whoever inserts it first: the same fields, but for the instant.
          if (await insertOnce(this.models.Digest, digest)) this.remember(this.read, id, digest);
          this.remember(this.known, id);
        }
        return this.insertLine(id, entry, shape);
      });
      if (slot === undefined) continue; // full: the next part
      // Marked after its slot: a crash between the two shows the line twice at worst, never not at all.
      await insertOnce(this.models.DigestLine, { _id: `${id}#${entry.recordId}`, digestId: id, recordId: entry.recordId, createdAt: this.now() });
      this.remember(this.parts, base, part);
      return id;
    }
  }

  /** The line in the next slot of this process's block (claiming a block first when it has none free); undefined when the part is full. */
  private async insertLine(id: string, entry: DigestEntry, shape: { max: number; block: number }): Promise<number | undefined> {
    const memo = this.memoOf(id);
    for (;;) {
      if (!memo.block || memo.block.next >= memo.block.first + shape.block) {
        const block = await this.claimBlock(id, memo, shape.max / shape.block);
        if (block === undefined) return undefined;
        memo.block = { first: block * shape.block, next: block * shape.block };
      }
      const slot = memo.block.next;
      // Only this process writes in its block, so the slot is free. (Moved past only once tried: a
      // failed insert leaves no hole before the lines after it.)
      const inserted = await insertOnce(this.models.DigestLine, { _id: `${id}:${slot}`, digestId: id, ...entry, createdAt: this.now() });
      memo.block.next = slot + 1;
      if (inserted) {
        memo.added.set(slot, entry);
        return slot;
      }
    }
  }

  /** Claims the part's lowest free block; undefined when every block is claimed. */
  private async claimBlock(id: string, memo: PartMemo, blocks: number): Promise<number | undefined> {
    for (; memo.nextBlock < blocks; memo.nextBlock++) {
      if (await insertOnce(this.models.DigestLine, { _id: blockId(id, memo.nextBlock), digestId: id, createdAt: this.now() })) {
        memo.own.add(memo.nextBlock);
        return memo.nextBlock++;
      }
    }
    return undefined;
  }

  /** The digest since `since` that lists the record's line already (a delivery tried again after a crash), if any. */
  async holding(platform: string, channel: string, reason: string, recordId: string, since: Date): Promise<string | undefined> {
    const first = Math.floor(since.getTime() / DIGEST_WINDOW_MS);
    const last = Math.floor(this.now().getTime() / DIGEST_WINDOW_MS);
    for (let window = Math.max(first, last - 2); window <= last; window++) {
      for (let part = 0; ; part++) {
        const id = `${platform}:${channel}:${reason}:${window}:p${part}`;
        if (!(await this.find(id))) break;
        if (await this.models.DigestLine.findById(`${id}#${recordId}`).lean()) return id;
      }
    }
    return undefined;
  }

  /** The digest (never changed once stored, so kept once read). */
  async find(id: string): Promise<DigestDoc | null> {
    const kept = this.read.get(id);
    if (kept) return kept;
    const digest = await this.models.Digest.findById(id).lean<DigestDoc>();
    if (digest) this.remember(this.read, id, digest);
    return digest;
  }

  /**
   * The digest's lines, block by block in the order the blocks were claimed, each block's in the
   * order they came: read by `_id` up to the first free slot of each block, except what was read
   * before and what this process added.
   */
  async lines(id: string): Promise<DigestEntry[]> {
    const memo = this.memoOf(id);
    const digest = await this.find(id);
    // A digest stored before blocks: its lines are one sequence from slot 0.
    if (!digest?.blockLines) {
      const lines = (memo.read[0] ??= []);
      lines.push(...(await this.blockLines(id, memo, 0, lines.length, Infinity)));
      return [...lines];
    }
    const size = digest.blockLines;
    for (let block = 0; ; block++) {
      if (block >= memo.read.length) {
        // Claimed by this process (its lines are known), or looked for.
        if (!memo.own.has(block) && !(await this.models.DigestLine.findById(blockId(id, block)).lean())) break;
        memo.read.push([]);
      }
      const lines = memo.read[block] as DigestEntry[];
      // A block of this process's holds what it added, nothing else.
      if (memo.own.has(block)) lines.push(...this.addedFrom(memo, block * size + lines.length, block * size + size));
      else if (lines.length < size) lines.push(...(await this.blockLines(id, memo, block * size, lines.length, size)));
    }
    return memo.read.flat();
  }

  /** The lines this process added from slot `from`, up to the first slot it has not (or `end`). */
  private addedFrom(memo: PartMemo, from: number, end: number): DigestEntry[] {
    const found: DigestEntry[] = [];
    for (let slot = from, line = memo.added.get(slot); line && slot < end; line = memo.added.get(++slot)) found.push(line);
    return found;
  }

  /** The lines of the block beginning at slot `first`, from its `from`-th up to its first free slot. */
  private async blockLines(id: string, memo: PartMemo, first: number, from: number, size: number): Promise<DigestEntry[]> {
    const found: DigestEntry[] = [];
    for (let batch = 1; from + found.length < size; batch = Math.min(READ_BATCH, batch * 2)) {
      found.push(...this.addedFrom(memo, first + from + found.length, first + size));
      const next = first + from + found.length;
      const count = Math.min(batch, first + size - next);
      if (count <= 0) break;
      const read = await Promise.all(Array.from({ length: count }, (_, i) => this.models.DigestLine.findById(`${id}:${next + i}`).lean<DigestLineDoc>()));
      const end = read.indexOf(null);
      const lines = (end < 0 ? read : read.slice(0, end)) as DigestLineDoc[];
      found.push(...lines.map((line) => ({ recordId: line.recordId ?? '', text: line.text ?? '', ...(line.action ? { action: line.action } : {}) })));
      if (end >= 0) break;
    }
    return found;
  }

  private memoOf(id: string): PartMemo {
    let memo = this.memos.get(id);
    if (!memo) {
      memo = { nextBlock: 0, own: new Set(), added: new Map(), read: [] };
      this.remember(this.memos, id, memo);
    }
    return memo;
  }

  private remember<T>(memo: Map<string, T> | Set<string>, key: string, value?: T): void {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    if (memo instanceof Set) memo.add(key);
    else memo.set(key, value as T);
  }
}

const blockId = (digestId: string, block: number) => `${digestId}~${block}`;
