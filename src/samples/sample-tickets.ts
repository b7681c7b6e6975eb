import { DateTime } from 'luxon';
import type { ItsmCatalog } from '../config/itsm-catalog';
import { freezesOver } from '../domain/change-rules';
import type { Level } from '../domain/priority';
import { t, type Locale } from '../i18n/translate';
import { CHANGE_IDS } from '../views/change-actions';
import { INCIDENT_IDS } from '../views/incident-actions';
import { REQUEST_IDS } from '../views/request-actions';

export type SampleKind = 'incident' | 'request' | 'change';

/** One sample ticket: who submits it, through which handler, with what; an incident may be acknowledged by an agent after. */
export interface SampleTicket {
  kind: SampleKind;
  handlerId: string;
  /** The e-mail of the configured person who submits it. */
  by: string;
  input: Record<string, unknown>;
  acknowledgedBy?: string;
}

/** Three incidents of different priorities on different services of the example configuration (opsdesk.example.yml). */
const INCIDENTS = [
  { key: 'mail', service: 'email', impact: 'high', urgency: 'medium', by: 'jamie.song@example.com', acknowledgedBy: 'alex.park@example.com' },
  { key: 'vpn', service: 'vpn', impact: 'medium', urgency: 'medium', by: 'casey.lim@example.com' },
  { key: 'laptop', service: 'laptops', impact: 'low', urgency: 'medium', by: 'jamie.song@example.com' },
] as const satisfies readonly { key: string; service: string; impact: Level; urgency: Level; by: string; acknowledgedBy?: string }[];

/** Jamie's laptop waits on Jamie's manager; under the finance threshold, so on nobody else. */
const REQUEST = { item: 'laptop', by: 'jamie.song@example.com', answers: { model: 'MacBook Pro 14', cost: '1800000' } };

/** A normal change of low risk: one CAB member approves it. */
const CHANGE = { service: 'email', item: 'mail-gateway', by: 'alex.park@example.com' };

/** A sample's title: the marker first, in the company's language. */
export const markedTitle = (locale: Locale, title: string) => `${t(locale, 'samples.marker')} ${title}`;

const described = (locale: Locale, text: string) => `${text}\n\n${t(locale, 'samples.note')}`;

/**
 * The sample tickets this configuration can hold: those naming people, services, catalog items or
 * configuration items it lacks are left out (a company's own configuration usually gets none).
 */
export function sampleTickets(catalog: ItsmCatalog, locale: Locale, now: Date): SampleTicket[] {
  const { config } = catalog;
  const known = (...emails: (string | undefined)[]) => emails.every((e) => e === undefined || catalog.people.has(e));
  const samples: SampleTicket[] = [];
  for (const incident of INCIDENTS) {
    const acknowledgedBy = 'acknowledgedBy' in incident ? incident.acknowledgedBy : undefined;
    if (!catalog.services.has(incident.service) || !known(incident.by, acknowledgedBy)) continue;
    samples.push({
      kind: 'incident',
      handlerId: INCIDENT_IDS.report,
      by: incident.by,
      input: {
        summary: markedTitle(locale, t(locale, `samples.incident.${incident.key}.summary`)),
        description: described(locale, t(locale, `samples.incident.${incident.key}.description`)),
        service: incident.service,
        impact: incident.impact,
        urgency: incident.urgency,
        platform: 'web',
      },
      ...(acknowledgedBy ? { acknowledgedBy } : {}),
    });
  }
  if (config.catalog.some((item) => item.key === REQUEST.item) && known(REQUEST.by)) {
    samples.push({
      kind: 'request',
      handlerId: REQUEST_IDS.submit,
      by: REQUEST.by,
      input: { item: REQUEST.item, answers: { ...REQUEST.answers, reason: t(locale, 'samples.request.reason') } },
    });
  }
  if (catalog.services.has(CHANGE.service) && config.configurationItems.some((ci) => ci.key === CHANGE.item && ci.service === CHANGE.service) && known(CHANGE.by)) {
    const window = changeWindow(catalog, now);
    samples.push({
      kind: 'change',
      handlerId: CHANGE_IDS.submit,
      by: CHANGE.by,
      input: {
        title: markedTitle(locale, t(locale, 'samples.change.title')),
        type: 'normal',
        risk: 'low',
        service: CHANGE.service,
        configurationItems: [CHANGE.item],
        windowStart: window.start.toISOString(),
        windowEnd: window.end.toISOString(),
        description: described(locale, t(locale, 'samples.change.description')),
        plan: t(locale, 'samples.change.plan'),
        backoutPlan: t(locale, 'samples.change.backoutPlan'),
        testPlan: t(locale, 'samples.change.testPlan'),
      },
    });
  }
  return samples;
}

/** An hour at 22:00 in the company's zone a week from now, moved past any freeze a normal change may not enter. */
function changeWindow(catalog: ItsmCatalog, now: Date): { start: Date; end: Date } {
  const freezes = catalog.config.changeFreezes;
  let start = DateTime.fromJSDate(now, { zone: catalog.config.defaults.timeZone }).plus({ days: 7 });
  for (let tries = 0; ; tries++) {
    start = start.set({ hour: 22, minute: 0, second: 0, millisecond: 0 });
    const window = { start: start.toJSDate(), end: start.plus({ hours: 1 }).toJSDate() };
    const frozen = freezesOver(freezes, 'normal', window);
    if (frozen.length === 0 || tries >= 10) return window;
    const thawed = Math.max(...freezes.filter((f) => frozen.includes(f.name)).map((f) => Date.parse(f.to)));
    start = DateTime.fromMillis(thawed, { zone: catalog.config.defaults.timeZone }).plus({ days: 1 });
  }
}
