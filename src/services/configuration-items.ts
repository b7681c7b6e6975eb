import type { Model } from 'mongoose';
import type { ConfigurationItemDoc } from '../models/configuration-item.model';

/** Reading the CMDB: configuration items by key, or all of a service's. */
export class ConfigurationItems {
  constructor(private readonly items: Model<ConfigurationItemDoc>) {}

  findById(key: string): Promise<ConfigurationItemDoc | null> {
    return this.items.findById(key).lean<ConfigurationItemDoc>().exec();
  }

  /** Every item, or those of one service, in key order. */
  list(service?: string): Promise<ConfigurationItemDoc[]> {
    const filter = service ? { service } : {};
    return this.items.find(filter).sort({ _id: 1 }).lean<ConfigurationItemDoc[]>().exec();
  }
}
