import type { ItsmCatalog } from '../src/config/itsm-catalog';
import type { Logger } from '../src/logger';
import type { Models } from '../src/models/models';
import type { PeopleDirectory } from '../src/people/people-directory';
import type { IncidentRecords } from '../src/services/incident-records';
import type { IncidentWatch } from '../src/services/incident-watch';
import type { RequestWatch } from '../src/services/request-watch';
import type { RequestRecords } from '../src/services/request-records';
import type { ChangeRecords } from '../src/services/change-records';
import type { Notifier } from '../src/services/notifier';
import type { Retention } from '../src/services/retention';
import type { TimerWheel } from '../src/services/timer-wheel';

/** What a job may use: the same services as handlers, the notifier and the timer wheel. */
export interface JobContext {
  models: Models;
  catalog: ItsmCatalog;
  people: PeopleDirectory;
  incidents: IncidentRecords;
  requests: RequestRecords;
  changes: ChangeRecords;
  watch: IncidentWatch;
  requestWatch: RequestWatch;
  notifier: Notifier;
  /** What is kept only for a while, removed daily. */
  retention: Retention;
  wheel: TimerWheel;
  now(): Date;
  log: Logger;
}
