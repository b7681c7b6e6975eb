import { z } from 'zod';
import { HOLD_REASONS } from '../../src/domain/incident-lifecycle';
import { t } from '../../src/i18n/translate';
import { slaFor } from '../../src/services/incident-sla';
import { defineHandler } from '../handler';
import { changeIncident } from './change-incident';
import { INCIDENT_IDS } from '../../src/views/incident-actions';

export const holdIncident = defineHandler({
  id: INCIDENT_IDS.hold,
  entry: { form: true },
  description: 'Put an incident on hold with a reason; its resolution clock pauses.',
  input: z.object({ recordId: z.string().min(1), reason: z.enum(HOLD_REASONS), comment: z.string().trim().max(1000).optional() }),
  run: (ctx, actor, input) =>
    changeIncident(ctx, actor, input.recordId, 'hold', input, (incident, to, at) => {
      const pauses = [...incident.sla.pauses, { start: at, end: null }];
      const sla = slaFor(ctx.catalog, incident.service, incident.priority, incident.sla.startedAt, pauses);
      // The comment says what the hold waits for: kept with the record's comments and in the audit trail.
      const comment = input.comment ? { authorId: actor.id, authorName: actor.name, text: input.comment, at } : undefined;
      return {
        set: { state: to, holdReason: input.reason, sla, ...(comment ? { comments: [...incident.comments, comment] } : {}) },
        before: { state: incident.state },
        after: { state: to, holdReason: input.reason, ...(comment ? { comment: comment.text } : {}) },
        line: { reason: t(ctx.catalog.config.defaults.locale, `hold.${input.reason}`), ...(comment ? { comment: comment.text } : {}) },
        ...(comment ? { lineKey: 'incident.line.holdComment' as const } : {}),
      };
    }),
});
