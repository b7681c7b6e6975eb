import type { Model } from 'mongoose';
import type { RecordKeyDoc } from '../models/counter.model';
import { claimKey, releaseAbandonedKey, releaseKey } from './record-keys';

/**
 * One platform's requests, each done once however often it is delivered: the first delivery claims
 * the request's key with a unique insert (`<platform>-request:<key>`, held by the platform); a
 * retry finds it taken. Releasing the claim lets a retry do work that failed.
 */
export class RequestClaims {
  constructor(
    private readonly keys: Model<RecordKeyDoc>,
    private readonly platform: string,
  ) {}

  /** True when this delivery claimed the request; false when an earlier one holds it. */
  claim(requestKey: string): Promise<boolean> {
    return claimKey(this.keys, this.idOf(requestKey), this.platform);
  }

  release(requestKey: string): Promise<void> {
    return releaseKey(this.keys, this.idOf(requestKey), this.platform);
  }

  private idOf(requestKey: string): string {
    return `${this.platform}-request:${requestKey}`;
  }

  /**
   * Claims the request for the process `owner`. A claim whose process is no longer alive (it died
   * after claiming, its work undone) is taken over: a platform without a durable intake (Teams)
   * sends the request again, and this delivery then does it. The handlers are idempotent by the
   * request's key, so work the dead process had half done is completed, not repeated.
   */
  async claimFor(requestKey: string, owner: string, isAlive: (owner: string) => Promise<boolean>): Promise<boolean> {
    const id = this.idOf(requestKey);
    if (await claimKey(this.keys, id, owner)) return true;
    const held = await this.keys.findById(id).lean();
    if (!held || held.recordId === owner || (await isAlive(held.recordId))) return false;
    if (!(await releaseAbandonedKey(this.keys, id, held.recordId, owner))) return false;
    return claimKey(this.keys, id, owner);
  }

  releaseFor(requestKey: string, owner: string): Promise<void> {
    return releaseKey(this.keys, this.idOf(requestKey), owner);
  }
}
