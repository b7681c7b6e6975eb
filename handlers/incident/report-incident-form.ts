import { z } from 'zod';
import { LEVELS } from '../../src/domain/priority';
import { t } from '../../src/i18n/translate';
import { CMDB_IDS } from '../cmdb/suggest-configuration-items';
import { defineHandler, result } from '../handler';
import { INCIDENT_IDS } from '../../src/views/incident-actions';
import { DESCRIPTION_MAX, SUMMARY_MAX } from './report-incident';

export const reportIncidentForm = defineHandler({
  id: INCIDENT_IDS.reportForm,
  description: 'Open the incident form, prefilled from what was typed or the message it reports.',
  entry: {
    commands: [{ command: 'incident', argument: { field: 'text', usage: 'what is wrong', optional: true }, summary: 'help.incident.report', commandSummary: 'command.incident' }],
    shortcuts: [
      { id: 'report_message_as_incident', on: 'message', name: 'shortcut.reportMessage', summary: 'shortcut.reportMessage.summary' },
      { id: 'report_incident', on: 'global', name: 'shortcut.reportIncident', summary: 'shortcut.reportIncident.summary' },
    ],
    // A shortcut on a message prefills the form with the message's text.
    toInput: (i) => ({ text: i.argument ?? i.source?.text ?? '' }),
  },
  input: z.object({
    text: z.string().default(''),
    service: z.string().optional(),
  }),
  async run(ctx, actor, input) {
    const { locale } = actor;
    const text = input.text.trim();
    // A long message: its first line is the summary, the whole text the description.
    const summary = (text.split('\n')[0] ?? '').slice(0, SUMMARY_MAX);
    const levels = LEVELS.map((l) => ({ value: l, label: t(locale, `level.${l}`) }));
    return result([
      {
        kind: 'form',
        title: t(locale, 'incident.form.report'),
        submitId: INCIDENT_IDS.report,
        submitLabel: t(locale, 'incident.form.submit'),
        fields: [
          { id: 'summary', label: t(locale, 'incident.field.summary'), type: 'text', required: true, maxLength: SUMMARY_MAX, ...(summary ? { initial: summary } : {}) },
          {
            id: 'service',
            label: t(locale, 'incident.field.service'),
            type: 'select',
            required: true,
            options: [...ctx.catalog.services.values()].map((s) => ({ value: s.key, label: s.name })),
            ...(input.service ? { initial: input.service } : {}),
          },
          { id: 'configurationItem', label: t(locale, 'incident.field.ci'), type: 'select', required: false, suggest: CMDB_IDS.suggest },
          { id: 'impact', label: t(locale, 'incident.field.impact'), type: 'select', required: true, options: levels, initial: 'medium' },
          { id: 'urgency', label: t(locale, 'incident.field.urgency'), type: 'select', required: true, options: levels, initial: 'medium' },
          {
            id: 'description',
            label: t(locale, 'incident.field.description'),
            type: 'long_text',
            required: false,
            maxLength: DESCRIPTION_MAX,
            ...(text.length > summary.length ? { initial: text.slice(0, DESCRIPTION_MAX) } : {}),
          },
        ],
      },
    ]);
  },
});
