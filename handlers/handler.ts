import type { z } from 'zod';
import type { ItsmCatalog } from '../src/config/itsm-catalog';
import type { Role } from '../src/domain/roles';
import type { Locale } from '../src/i18n/translate';
import type { EntryPoints } from './entry-points';
import type { Actor, PeopleDirectory } from '../src/people/people-directory';
import type { AuditTrail } from '../src/services/audit-trail';
import type { ConfigurationItems } from '../src/services/configuration-items';
import type { IncidentRecords } from '../src/services/incident-records';
import type { IncidentWatch } from '../src/services/incident-watch';
import type { NotificationRecipients } from '../src/services/notification-recipients';
import type { RequestRecords } from '../src/services/request-records';
import type { ApprovalVotes } from '../src/services/approval-votes';
import type { ChangeRecords } from '../src/services/change-records';
import type { Announcement, View } from '../src/views/view-model';

/** What every handler may use: the services, the configuration and the clock. No platform SDK. */
export interface HandlerContext {
  catalog: ItsmCatalog;
  people: PeopleDirectory;
  incidents: IncidentRecords;
  /** Service requests and their approval votes. */
  requests: RequestRecords;
  /** Changes (RFCs). */
  changes: ChangeRecords;
  /** The votes on requests' and changes' approval steps, each its own claim. */
  votes: ApprovalVotes;
  /** The incident's timers (SLA, escalation): handlers use it to page the next level at once. */
  watch: IncidentWatch;
  /** The CMDB, read-only. */
  configurationItems: ConfigurationItems;
  /** Who a record's notifications went to (who was paged at an escalation step). */
  recipients: NotificationRecipients;
  /** Audit entries for what happens to a record without changing it (refusals, declined pages). */
  audit: AuditTrail;
  now(): Date;
}

export interface HandlerResult {
  /** Shown to the person who asked (an ephemeral reply, a modal, the updated card). */
  views: View[];
  /** Posted elsewhere: the service channel's card, its thread, a DM. */
  announcements: Announcement[];
}

/**
 * One use case, declared as data: its id (also the id its buttons, forms and type-aheads carry),
 * what it does, every way a person reaches it, its input schema, the role it needs (checked before
 * it runs) and the function. Adapters, the platform manifests and the help read these.
 */
export interface HandlerDeclaration<Schema extends z.ZodType = z.ZodType> {
  id: string;
  description: string;
  entry?: EntryPoints;
  input: Schema;
  requiredRole?: Role;
  /**
   * Field errors the schema cannot find because they depend on the configuration (a catalog item's
   * own fields), by field id; checked with the schema, before a platform answers a form.
   */
  check?(ctx: HandlerContext, input: z.output<Schema>, locale: Locale): Record<string, string> | null;
  run(ctx: HandlerContext, actor: Actor, input: z.output<Schema>): Promise<HandlerResult>;
}

export const defineHandler = <Schema extends z.ZodType>(declaration: HandlerDeclaration<Schema>) => declaration;

export const result = (views: View[], announcements: Announcement[] = []): HandlerResult => ({ views, announcements });
