import type { HandlerDeclaration } from './handler';
import { acknowledgeIncident } from './incident/acknowledge-incident';
import { assignIncident, assignIncidentToMe } from './incident/assign-incident';
import { closeIncident } from './incident/close-incident';
import { commentOnIncident } from './incident/comment-on-incident';
import { holdIncident } from './incident/hold-incident';
import { holdIncidentForm, reopenIncidentForm, resolveIncidentForm } from './incident/incident-forms';
import { listGroupQueue, listMyIncidents } from './incident/list-incidents';
import { reopenIncident } from './incident/reopen-incident';
import { reportIncident } from './incident/report-incident';
import { reportIncidentForm } from './incident/report-incident-form';
import { reprioritiseIncident } from './incident/reprioritise-incident';
import { resolveIncident } from './incident/resolve-incident';
import { resumeIncident } from './incident/resume-incident';
import { viewIncident } from './incident/view-incident';
import { serviceStatus } from './incident/service-status';
import { suggestConfigurationItems } from './cmdb/suggest-configuration-items';
import { myDesk } from './home/my-desk';
import { declinePage } from './incident/decline-page';
import { showOnCall } from './oncall/show-on-call';

/** Every use case, in one place. Adapters map their commands, buttons and forms to these ids. */
export const HANDLERS: readonly HandlerDeclaration[] = [
  reportIncidentForm,
  reportIncident,
  viewIncident,
  listMyIncidents,
  listGroupQueue,
  acknowledgeIncident,
  assignIncident,
  assignIncidentToMe,
  reprioritiseIncident,
  holdIncidentForm,
  holdIncident,
  resumeIncident,
  resolveIncidentForm,
  resolveIncident,
  reopenIncidentForm,
  reopenIncident,
  closeIncident,
  commentOnIncident,
  serviceStatus,
  suggestConfigurationItems,
  myDesk,
  declinePage,
  showOnCall,
] as HandlerDeclaration[];

export class HandlerRegistry {
  private readonly byId = new Map<string, HandlerDeclaration>();

  constructor(handlers: readonly HandlerDeclaration[] = HANDLERS) {
    for (const handler of handlers) {
      if (this.byId.has(handler.id)) throw new Error(`two handlers declare the id ${handler.id}`);
      this.byId.set(handler.id, handler);
    }
  }

  get(id: string): HandlerDeclaration | undefined {
    return this.byId.get(id);
  }

  all(): HandlerDeclaration[] {
    return [...this.byId.values()];
  }
}
