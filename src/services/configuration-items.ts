import type { Model } from 'mongoose';
import type { ConfigurationItemDoc } from '../models/configuration-item.model';

/**
 * Reading the CMDB: configuration items by key, or those matching what a person types. The items
 * come from the configuration, which every process loads: type-ahead searches them in memory
 * instead of reading the collection at every keystroke.
 */
export class ConfigurationItems {
  constructor(
    private readonly items: Model<ConfigurationItemDoc>,
    private readonly configured: readonly ConfigurationItemDoc[],
  ) {}

  findById(key: string): Promise<ConfigurationItemDoc | null> {
    return this.items.findById(key).lean<ConfigurationItemDoc>().exec();
  }

  /** Items (of one service, if given) whose key or name has a word starting with each word, in key order. */
  matching(words: readonly string[], service: string | undefined, limit: number): ConfigurationItemDoc[] {
    const found: ConfigurationItemDoc[] = [];
    for (const ci of this.configured) {
      if (service && ci.service !== service) continue;
      if (words.every((w) => ci.tokens.some((token) => token.startsWith(w)))) found.push(ci);
    }
    return found.sort((a, b) => a._id.localeCompare(b._id)).slice(0, limit);
  }
}
