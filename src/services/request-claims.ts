import type { Model } from 'mongoose';
import type { RecordKeyDoc } from '../models/counter.model';
import { claimKey, releaseKey } from './record-keys';

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
}
