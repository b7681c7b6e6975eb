import { createHash } from 'node:crypto';
import type { ConfigurationItemDoc } from '../models/configuration-item.model';
import type { Models } from '../models/models';
import type { ItsmCatalog } from './itsm-catalog';

const tokensOf = (...texts: string[]) => [...new Set(texts.join(' ').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean))];

/** The CMDB's configuration items as stored, from the configuration. */
export function configurationItemDocs(catalog: ItsmCatalog): ConfigurationItemDoc[] {
  return catalog.config.configurationItems.map((ci) => ({
    _id: ci.key,
    name: ci.name,
    type: ci.type,
    service: ci.service,
    criticality: ci.criticality,
    relations: ci.relations,
    tokens: tokensOf(ci.key, ci.name),
    ...(ci.owner ? { owner: ci.owner.toLowerCase() } : {}),
  }));
}

/**
 * Stores the configuration loaded at start: the document itself (with its hash, to tell a
 * change), the CMDB's configuration items, and the configured people.
 */
export async function storeItsmConfig(models: Models, catalog: ItsmCatalog, at: Date): Promise<{ changed: boolean }> {
  const json = JSON.stringify(catalog.config);
  const hash = createHash('sha256').update(json).digest('hex');
  const previous = await models.StoredConfig.findById('itsm').lean();
  await models.StoredConfig.updateOne(
    { _id: 'itsm' },
    // Stored as JSON text: configuration keys may contain dots, which FerretDB cannot store as keys.
    { $set: { hash, loadedAt: at, config: { json } } },
    { upsert: true },
  );
  const items = configurationItemDocs(catalog);
  const keys = items.map((ci) => ci._id);
  for (const { _id, ...ci } of items) {
    await models.ConfigurationItem.updateOne({ _id }, { $set: ci }, { upsert: true });
  }
  await models.ConfigurationItem.deleteMany({ _id: { $nin: keys } });
  return { changed: previous?.hash !== hash };
}
