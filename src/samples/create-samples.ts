import { dispatch } from '../../handlers/dispatch';
import type { App } from '../app';
import { retryWhileBusy } from '../db/retry-while-busy';
import type { Locale } from '../i18n/translate';
import type { Models } from '../models/models';
import type { ServiceRequestDoc } from '../models/service-request.model';
import { personIdForEmail } from '../people/people-directory';
import { claimKey } from '../services/record-keys';
import { INCIDENT_IDS } from '../views/incident-actions';
import { requestAnnouncements } from '../views/request-announcements';
import type { Announcement } from '../views/view-model';
import { SAMPLE_KEYS } from './sample-keys';
import { markedTitle, sampleTickets, type SampleKind, type SampleTicket } from './sample-tickets';

/**
 * On a database that holds no incident, no service request and no change, makes a few
 * sample tickets through the handlers, as people would (audited, with their SLA timers, their
 * cards announced), each marked `sample: true` and titled with the "[Sample]" marker. Once per
 * database: a restart, a second process starting at once, or a database whose samples were
 * removed gets none. Returns the numbers made.
 */
export async function createSamplesIfEmpty(app: App, options: { locale?: Locale } = {}): Promise<{ created: string[] }> {
  const { models } = app.database;
  const none = { created: [] };
  // Lookups by `_id` first: every later start ends here.
  if (await models.RecordKey.findById(SAMPLE_KEYS.created).lean()) return none;
  if (await models.RecordKey.findById(SAMPLE_KEYS.removed).lean()) return none;
  const empty = !(await holdsAnyTicket(models));
  // Claimed on a database with tickets too, so that no later start looks at its collections again;
  // on an empty one before the first sample: a process dying halfway leaves a partial set, never a second.
  const claimed = await claimKey(models.RecordKey, SAMPLE_KEYS.created, empty ? 'samples' : 'none: the database held tickets');
  if (!claimed || !empty) return none;
  const locale = options.locale ?? app.ctx.catalog.config.defaults.locale;
  const created: string[] = [];
  for (const sample of sampleTickets(app.ctx.catalog, locale, app.ctx.now())) {
    const number = await createSample(app, sample, locale);
    if (number) created.push(number);
  }
  app.log.info({ created }, 'sample tickets made on an empty database (npm run samples:remove removes them)');
  return { created };
}

async function holdsAnyTicket(models: Models): Promise<boolean> {
  const found = await Promise.all([models.Incident.exists({}), models.ServiceRequest.exists({}), models.Change.exists({})]);
  return found.some((doc) => doc !== null);
}

async function createSample(app: App, sample: SampleTicket, locale: Locale): Promise<string | undefined> {
  const number = await run(app, sample.by, sample.handlerId, sample.input, async (recordId) => {
    const request = await markAsSample(app.database.models, sample.kind, recordId, locale);
    // A request's title is its catalog item's name: its cards are drawn again with the marker.
    return request ? requestAnnouncements(app.ctx, request) : undefined;
  });
  if (number && sample.acknowledgedBy) await run(app, sample.acknowledgedBy, INCIDENT_IDS.ack, { recordId: number });
  return number;
}

/** Runs a handler as the person, then announces what it made (after `made`, which may draw it again); the record's number. */
async function run(
  app: App,
  email: string,
  handlerId: string,
  input: Record<string, unknown>,
  made?: (recordId: string) => Promise<Announcement[] | undefined>,
): Promise<string | undefined> {
  const actor = await app.ctx.people.actorById(personIdForEmail(email));
  const result = actor ? await dispatch(app.ctx, app.registry, app.log, { handlerId, actor, input }) : undefined;
  const recordId = result?.announcements[0]?.recordId;
  if (!result || !recordId) {
    app.log.warn({ handlerId, email, views: result?.views }, 'a sample ticket could not be made: left out');
    return undefined;
  }
  await app.jobs.notifier.announce((await made?.(recordId)) ?? result.announcements);
  return recordId;
}

/**
 * The durable mark, set at once after creation and before anyone can change the record: FerretDB
 * writes an update as the whole document read before, so a change landing in between would be
 * lost. Outside the audit trail, whose chain covers only its events (src/audit/verify-audit-chains.ts).
 */
async function markAsSample(models: Models, kind: SampleKind, number: string, locale: Locale): Promise<ServiceRequestDoc | undefined> {
  const mark = { $set: { sample: true } };
  if (kind === 'incident') await retryWhileBusy(() => models.Incident.updateOne({ _id: number }, mark, { timestamps: false }));
  if (kind === 'change') await retryWhileBusy(() => models.Change.updateOne({ _id: number }, mark, { timestamps: false }));
  if (kind !== 'request') return undefined;
  const request = await models.ServiceRequest.findById(number).lean<ServiceRequestDoc>();
  if (!request) return undefined;
  const title = markedTitle(locale, request.title);
  await retryWhileBusy(() => models.ServiceRequest.updateOne({ _id: number }, { $set: { sample: true, title } }, { timestamps: false }));
  return { ...request, sample: true, title };
}
