import { z } from 'zod';
import { DomainError } from '../../src/domain/domain-error';
import { t } from '../../src/i18n/translate';
import { defineHandler, result } from '../handler';
import { loadIncident } from './change-incident';
import { channelReader, incidentCard } from '../../src/views/incident-card';
import { INCIDENT_IDS } from '../../src/views/incident-actions';

/**
 * "I can't take it" on an escalation page: the next level is paged now instead of after its
 * delay. Only someone that step paged, or a member of the incident's group, may pass it on.
 */
export const declinePage = defineHandler({
  id: INCIDENT_IDS.declinePage,
  description: 'Pass an escalation page on to the next level at once.',
  // The page's button carries the escalation step that paged the person.
  entry: { card: true, toInput: (i) => ({ recordId: i.recordId, step: i.value }) },
  input: z.object({ recordId: z.string().min(1), step: z.coerce.number().int().min(0).max(1000) }),
  run: async (ctx, actor, input) => {
    const incident = await loadIncident(ctx, input.recordId);
    const at = ctx.now();
    if (incident.state !== 'new' || incident.acknowledgedAt) throw new DomainError('ESCALATION.NOT_RUNNING', { number: incident.number });
    const reason = `escalation.${input.step}`;
    const wasPaged = await ctx.recipients.wasSent(incident._id, reason, actor.id);
    const audit = (action: string) =>
      ctx.audit.sideEvent({
        recordKind: 'incident', recordId: incident._id, recordNumber: incident.number, action,
        actor: { id: actor.id, name: actor.name }, at, before: {}, after: { step: input.step },
      });
    if (!wasPaged && !actor.groups.includes(incident.assignmentGroup)) {
      await audit('escalation.decline.refused');
      throw new DomainError('TRANSITION.FORBIDDEN', {});
    }
    await audit('escalation.decline');
    await ctx.watch.escalateNow(incident._id, input.step + 1);
    const channel = channelReader(ctx.catalog);
    return result(
      [{ kind: 'notice', tone: 'info', text: t(actor.locale, 'escalation.declined', { actor: actor.name, number: incident.number }) }],
      [{
        reason: 'escalation.decline',
        key: `escalation.decline.${input.step}.${actor.id}`,
        recordId: incident._id,
        audience: { kind: 'channel', service: incident.service },
        view: incidentCard(incident, channel, ctx.catalog, t(channel.locale, 'escalation.declinedLine', { actor: actor.name, number: incident.number })),
      }],
    );
  },
});
