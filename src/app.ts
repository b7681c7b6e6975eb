import type { HandlerContext } from '../handlers/handler';
import { HandlerRegistry } from '../handlers/index';
import { ItsmCatalog } from './config/itsm-catalog';
import type { ItsmConfig } from './config/itsm-config-schema';
import { storeItsmConfig } from './config/store-itsm-config';
import type { Database } from './db/connect';
import type { Logger } from './logger';
import { PeopleDirectory } from './people/people-directory';
import { IncidentRecords } from './services/incident-records';
import { ensureNumberSeries } from './services/number-series';

export interface App {
  ctx: HandlerContext;
  registry: HandlerRegistry;
  log: Logger;
  database: Database;
}

/** The composition root: services over one database, the handlers' context and their registry. */
export async function createApp(options: {
  database: Database;
  config: ItsmConfig;
  log: Logger;
  now?: () => Date;
}): Promise<App> {
  const { database, log } = options;
  const catalog = new ItsmCatalog(options.config);
  const now = options.now ?? (() => new Date());
  const people = new PeopleDirectory(database.models, catalog);

  await ensureNumberSeries(database.models.Counter);
  const { changed } = await storeItsmConfig(database.models, catalog, now());
  await people.syncFromConfig();
  log.info({ changed, services: catalog.services.size, groups: catalog.groups.size }, 'ITSM configuration loaded');

  const ctx: HandlerContext = {
    models: database.models,
    catalog,
    people,
    incidents: new IncidentRecords(database.models),
    now,
  };
  return { ctx, registry: new HandlerRegistry(), log, database };
}
