import { declaredCommands, type DeclaredCommand } from './commands';
import type { EntryPoints, ShortcutEntry } from './entry-points';
import type { HandlerDeclaration } from './handler';
import { showHelp } from './help/show-help';
import { suggestPeople } from './people/suggest-people';
import { ticketsNotHandledYet } from './tickets/tickets-not-handled-yet';
import { acknowledgeIncident } from './incident/acknowledge-incident';
import { assignIncident, assignIncidentToMe } from './incident/assign-incident';
import { closeIncident } from './incident/close-incident';
import { commentOnIncident } from './incident/comment-on-incident';
import { holdIncident } from './incident/hold-incident';
import { assignIncidentForm, holdIncidentForm, reopenIncidentForm, resolveIncidentForm } from './incident/incident-forms';
import { listGroupQueue, listMyIncidents } from './incident/list-incidents';
import { reopenIncident } from './incident/reopen-incident';
import { reportIncident } from './incident/report-incident';
import { reportIncidentForm } from './incident/report-incident-form';
import { reprioritiseIncident } from './incident/reprioritise-incident';
import { rateIncident } from './incident/rate-incident';
import { resolveIncident } from './incident/resolve-incident';
import { resumeIncident } from './incident/resume-incident';
import { viewIncident } from './incident/view-incident';
import { serviceStatus } from './incident/service-status';
import { suggestConfigurationItems } from './cmdb/suggest-configuration-items';
import { myDesk } from './home/my-desk';
import { declinePage } from './incident/decline-page';
import { showOnCall } from './oncall/show-on-call';
import { openRequestForm, showCatalog } from './request/request-catalog';
import { submitRequest } from './request/submit-request';
import { approveRequest, rejectRequest, rejectRequestForm } from './request/vote-on-request';
import { completeRequestTask } from './request/complete-request-task';
import { takeRequest } from './request/take-request';
import { withdrawRequest } from './request/withdraw-request';
import { rateRequest } from './request/rate-request';
import { listMyApprovals, listMyRequests, listRequestQueue, viewRequest } from './request/list-requests';
import { changeForm, submitChange } from './change/request-change';
import { approveChange, rejectChange, rejectChangeForm } from './change/vote-on-change';
import { cancelChange, closeChange, completeChange, completeChangeForm, overrideChangeFreeze, startChange } from './change/move-change';
import { changeStats, listChangeApprovals, listMyChanges, viewChange } from './change/list-changes';

/**
 * Every use case, in one place, in the order help and command lists show them. Adapters reach
 * them only through the entry points they declare.
 */
export const HANDLERS: readonly HandlerDeclaration[] = [
  reportIncidentForm,
  reportIncident,
  listMyIncidents,
  listGroupQueue,
  viewIncident,
  acknowledgeIncident,
  assignIncidentForm,
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
  rateIncident,
  serviceStatus,
  showCatalog,
  openRequestForm,
  submitRequest,
  listMyRequests,
  listMyApprovals,
  listRequestQueue,
  viewRequest,
  approveRequest,
  rejectRequestForm,
  rejectRequest,
  takeRequest,
  completeRequestTask,
  withdrawRequest,
  rateRequest,
  changeForm,
  submitChange,
  listMyChanges,
  listChangeApprovals,
  changeStats,
  viewChange,
  approveChange,
  rejectChangeForm,
  rejectChange,
  overrideChangeFreeze,
  startChange,
  completeChangeForm,
  completeChange,
  closeChange,
  cancelChange,
  suggestConfigurationItems,
  suggestPeople,
  myDesk,
  declinePage,
  showOnCall,
  ticketsNotHandledYet,
] as HandlerDeclaration[];

type FlagEntry = 'card' | 'form' | 'suggest' | 'home';

/** The handlers by id, and their entry points as every adapter reads them. */
export class HandlerRegistry {
  private readonly byId = new Map<string, HandlerDeclaration>();
  readonly commands: ReadonlyMap<string, readonly DeclaredCommand[]>;

  constructor(handlers: readonly HandlerDeclaration[] = HANDLERS) {
    // Help lists every command, its own included.
    for (const handler of [...handlers, showHelp(() => this.all()) as HandlerDeclaration]) {
      if (this.byId.has(handler.id)) throw new Error(`two handlers declare the id ${handler.id}`);
      this.byId.set(handler.id, handler);
    }
    this.commands = declaredCommands(this.all());
    const shortcutIds = this.shortcuts().map((s) => s.shortcut.id);
    if (new Set(shortcutIds).size !== shortcutIds.length) throw new Error('two handlers declare the same shortcut id');
  }

  /** The ids of the handlers reached this way (a card's buttons, a form's submission…). */
  idsWith(kind: FlagEntry): string[] {
    return this.all()
      .filter((h) => h.entry?.[kind])
      .map((h) => h.id);
  }

  shortcuts(): { handlerId: string; shortcut: ShortcutEntry }[] {
    return this.all().flatMap((h) => (h.entry?.shortcuts ?? []).map((shortcut) => ({ handlerId: h.id, shortcut })));
  }

  /** The handlers that show records whose numbers appear in a message. */
  showers(): { handlerId: string; pattern: NonNullable<EntryPoints['shows']> }[] {
    return this.all().flatMap((h) => (h.entry?.shows ? [{ handlerId: h.id, pattern: h.entry.shows }] : []));
  }

  get(id: string): HandlerDeclaration | undefined {
    return this.byId.get(id);
  }

  all(): HandlerDeclaration[] {
    return [...this.byId.values()];
  }
}
