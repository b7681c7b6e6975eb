import { z } from 'zod';
import { HOLD_REASONS, RESOLUTION_CODES, type IncidentAction } from '../../src/domain/incident-lifecycle';
import type { MessageKey } from '../../src/i18n/messages.en';
import { t, type Locale } from '../../src/i18n/translate';
import type { FormField } from '../../src/views/view-model';
import type { IncidentDoc } from '../../src/models/incident.model';
import { defineHandler, result, type HandlerContext } from '../handler';
import { PEOPLE_IDS } from '../people/suggest-people';
import { onRecord } from './record-input';
import { authoriseIncidentAction, loadIncident } from './change-incident';
import { INCIDENT_IDS } from '../../src/views/incident-actions';

interface RecordFormSpec {
  id: string;
  description: string;
  /** The action the form leads to: who may open the form is who may take the action. */
  action: IncidentAction;
  title: MessageKey;
  submitId: string;
  submitLabel: MessageKey;
  fields(locale: Locale, incident: IncidentDoc, ctx: HandlerContext): FormField[];
}

/** A form about one incident: its title names the incident, its submission carries the record id. */
const recordForm = (spec: RecordFormSpec) =>
  defineHandler({
    id: spec.id,
    description: spec.description,
    entry: { card: true },
    input: z.object(onRecord),
    async run(ctx, actor, input) {
      const incident = await loadIncident(ctx, input.recordId);
      await authoriseIncidentAction(ctx, actor, incident, spec.action);
      return result([
        {
          kind: 'form',
          title: t(actor.locale, spec.title, { number: incident.number }),
          submitId: spec.submitId,
          submitLabel: t(actor.locale, spec.submitLabel),
          recordId: incident._id,
          fields: spec.fields(actor.locale, incident, ctx),
        },
      ]);
    },
  });

export const resolveIncidentForm = recordForm({
  id: INCIDENT_IDS.resolveForm,
  description: 'The form to resolve an incident.',
  action: 'resolve',
  title: 'incident.form.resolve',
  submitId: INCIDENT_IDS.resolve,
  submitLabel: 'incident.action.resolve',
  fields: (locale) => [
    {
      id: 'code',
      label: t(locale, 'incident.field.code'),
      type: 'select',
      required: true,
      options: RESOLUTION_CODES.map((c) => ({ value: c, label: t(locale, `resolution.${c}`) })),
    },
    { id: 'notes', label: t(locale, 'incident.field.notes'), type: 'long_text', required: true, maxLength: 3000 },
  ],
});

export const holdIncidentForm = recordForm({
  id: INCIDENT_IDS.holdForm,
  description: 'The form to put an incident on hold.',
  action: 'hold',
  title: 'incident.form.hold',
  submitId: INCIDENT_IDS.hold,
  submitLabel: 'incident.action.hold',
  fields: (locale) => [
    {
      id: 'reason',
      label: t(locale, 'incident.field.reason'),
      type: 'select',
      required: true,
      options: HOLD_REASONS.map((r) => ({ value: r, label: t(locale, `hold.${r}`) })),
    },
    { id: 'comment', label: t(locale, 'incident.field.comment'), type: 'long_text', required: false, maxLength: 1000 },
  ],
});

export const reopenIncidentForm = recordForm({
  id: INCIDENT_IDS.reopenForm,
  description: 'The form to reopen a resolved incident.',
  action: 'reopen',
  title: 'incident.form.reopen',
  submitId: INCIDENT_IDS.reopen,
  submitLabel: 'incident.action.reopen',
  fields: (locale) => [{ id: 'reason', label: t(locale, 'incident.field.reason'), type: 'long_text', required: true, maxLength: 1000 }],
});

export const assignIncidentForm = recordForm({
  id: INCIDENT_IDS.assignForm,
  description: 'The form to assign an incident to a group, or to a person in it.',
  action: 'assign',
  title: 'incident.form.assign',
  submitId: INCIDENT_IDS.assign,
  submitLabel: 'incident.action.assign',
  fields: (locale, incident, ctx) => [
    {
      id: 'group',
      label: t(locale, 'incident.field.group'),
      type: 'select',
      required: true,
      options: [...ctx.catalog.groups.values()].map((g) => ({ value: g.key, label: g.name })),
      initial: incident.assignmentGroup,
    },
    // People of the group chosen above, as the person types.
    { id: 'assignee', label: t(locale, 'incident.field.assignee'), type: 'select', required: false, suggest: PEOPLE_IDS.suggest },
  ],
});
