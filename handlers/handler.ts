import type { z } from 'zod';
import type { ItsmCatalog } from '../src/config/itsm-catalog';
import type { Role } from '../src/domain/roles';
import type { Models } from '../src/models/models';
import type { Actor, PeopleDirectory } from '../src/people/people-directory';
import type { IncidentRecords } from '../src/services/incident-records';
import type { IncidentWatch } from '../src/services/incident-watch';
import type { Announcement, View } from '../src/views/view-model';

/** What every handler may use: the services, the configuration and the clock. No platform SDK. */
export interface HandlerContext {
  models: Models;
  catalog: ItsmCatalog;
  people: PeopleDirectory;
  incidents: IncidentRecords;
  /** The incident's timers (SLA, escalation): handlers use it to page the next level at once. */
  watch: IncidentWatch;
  now(): Date;
}

export interface HandlerResult {
  /** Shown to the person who asked (an ephemeral reply, a modal, the updated card). */
  views: View[];
  /** Posted elsewhere: the service channel's card, its thread, a DM. */
  announcements: Announcement[];
}

/**
 * One use case, declared as data: its id (also the action/command id adapters map to), what it
 * does, its input schema, the role it needs (checked before it runs) and the function.
 */
export interface HandlerDeclaration<Schema extends z.ZodType = z.ZodType> {
  id: string;
  description: string;
  usage?: string;
  input: Schema;
  requiredRole?: Role;
  run(ctx: HandlerContext, actor: Actor, input: z.output<Schema>): Promise<HandlerResult>;
}

export const defineHandler = <Schema extends z.ZodType>(declaration: HandlerDeclaration<Schema>) => declaration;

export const result = (views: View[], announcements: Announcement[] = []): HandlerResult => ({ views, announcements });
