import { z } from 'zod';
import { onRecord } from './record-input';
import { defineHandler } from '../handler';
import { changeIncident } from './change-incident';
import { INCIDENT_IDS } from '../../src/views/incident-actions';

export const commentOnIncident = defineHandler({
  id: INCIDENT_IDS.comment,
  // Typed on the card, beside its button.
  entry: { card: true },
  description: 'Add a comment to an incident (the requester or an agent).',
  input: z.object({ ...onRecord, text: z.string().trim().min(1).max(3000) }),
  run: (ctx, actor, input) =>
    changeIncident(ctx, actor, input.recordId, 'comment', input, (incident, _to, at) => ({
      set: { comments: [...incident.comments, { authorId: actor.id, authorName: actor.name, text: input.text, at }] },
      before: { comments: incident.comments.length },
      after: { comments: incident.comments.length + 1, text: input.text },
      line: { text: input.text },
    })),
});
