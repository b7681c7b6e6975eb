import { z } from 'zod';
import { HOLD_REASONS, RESOLUTION_CODES } from '../../src/domain/incident-lifecycle';
import { t } from '../../src/i18n/translate';
import { defineHandler, result } from '../handler';
import { loadIncident } from './change-incident';
import { INCIDENT_IDS } from './incident-actions';

const recordInput = z.object({ recordId: z.string().min(1) });

export const resolveIncidentForm = defineHandler({
  id: INCIDENT_IDS.resolveForm,
  description: 'The form to resolve an incident.',
  input: recordInput,
  requiredRole: 'agent',
  async run(ctx, actor, input) {
    const incident = await loadIncident(ctx, input.recordId);
    const { locale } = actor;
    return result([
      {
        kind: 'form',
        title: t(locale, 'incident.form.resolve', { number: incident.number }),
        submitId: INCIDENT_IDS.resolve,
        submitLabel: t(locale, 'incident.action.resolve'),
        recordId: incident._id,
        fields: [
          {
            id: 'code',
            label: t(locale, 'incident.field.code'),
            type: 'select',
            required: true,
            options: RESOLUTION_CODES.map((c) => ({ value: c, label: t(locale, `resolution.${c}`) })),
          },
          { id: 'notes', label: t(locale, 'incident.field.notes'), type: 'long_text', required: true, maxLength: 3000 },
        ],
      },
    ]);
  },
});

export const holdIncidentForm = defineHandler({
  id: INCIDENT_IDS.holdForm,
  description: 'The form to put an incident on hold.',
  input: recordInput,
  requiredRole: 'agent',
  async run(ctx, actor, input) {
    const incident = await loadIncident(ctx, input.recordId);
    const { locale } = actor;
    return result([
      {
        kind: 'form',
        title: t(locale, 'incident.form.hold', { number: incident.number }),
        submitId: INCIDENT_IDS.hold,
        submitLabel: t(locale, 'incident.action.hold'),
        recordId: incident._id,
        fields: [
          {
            id: 'reason',
            label: t(locale, 'incident.field.reason'),
            type: 'select',
            required: true,
            options: HOLD_REASONS.map((r) => ({ value: r, label: t(locale, `hold.${r}`) })),
          },
          { id: 'comment', label: t(locale, 'incident.field.comment'), type: 'long_text', required: false, maxLength: 1000 },
        ],
      },
    ]);
  },
});

export const reopenIncidentForm = defineHandler({
  id: INCIDENT_IDS.reopenForm,
  description: 'The form to reopen a resolved incident.',
  input: recordInput,
  async run(ctx, actor, input) {
    const incident = await loadIncident(ctx, input.recordId);
    const { locale } = actor;
    return result([
      {
        kind: 'form',
        title: t(locale, 'incident.form.reopen', { number: incident.number }),
        submitId: INCIDENT_IDS.reopen,
        submitLabel: t(locale, 'incident.action.reopen'),
        recordId: incident._id,
        fields: [{ id: 'reason', label: t(locale, 'incident.field.reason'), type: 'long_text', required: true, maxLength: 1000 }],
      },
    ]);
  },
});
