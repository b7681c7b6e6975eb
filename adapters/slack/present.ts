import type { WebClient } from '@slack/web-api';
import { dispatchInteraction } from '../../handlers/dispatch';
import type { Interaction } from '../../handlers/entry-points';
import type { HandlerResult } from '../../handlers/handler';
import type { Actor } from '../../src/people/people-directory';
import type { Announcement, CardView, FormView, NoticeView } from '../../src/views/view-model';
import { cardFallback, escapeMrkdwn, renderCard } from './render/render-card';
import { fallbackText, renderMessage, renderModal, type ModalMetadata } from './render/render-views';
import { mentionsIn } from './render/slack-mentions';
import type { SlackDeps } from './slack-context';

/** Runs the handler the interaction names, with the input its declaration makes of it. */
export function interact(deps: SlackDeps, actor: Actor, interaction: Omit<Interaction, 'platform'>): Promise<HandlerResult> {
  const { ctx, registry, log } = deps.opsdesk;
  return dispatchInteraction(ctx, registry, log, actor, { ...interaction, platform: 'slack' });
}

export const formOf = (result: HandlerResult) => result.views.find((v): v is FormView => v.kind === 'form');
export const errorOf = (result: HandlerResult) => result.views.find((v): v is NoticeView => v.kind === 'notice' && v.tone === 'error');

/**
 * A replay (work acknowledged by a process that died) that failed on our side is tried again later
 * rather than told: the person hears of it only once it is done, or given up.
 */
export function throwIfReplayFailed(result: HandlerResult, replayed: boolean): void {
  const failed = errorOf(result)?.errorId;
  if (replayed && failed) throw new Error(`the replayed request failed on our side (error id ${failed})`);
}
export const cardOf = (result: HandlerResult) => result.views.find((v): v is CardView => v.kind === 'card');

/**
 * Posts each announcement: the record's card in its service channel is edited in place (or
 * posted the first time, and remembered), and the change is added to the card's thread.
 */
export async function deliverAnnouncements(deps: SlackDeps, client: WebClient, announcements: Announcement[]): Promise<void> {
  for (const announcement of announcements) {
    const { audience } = announcement;
    if (audience.kind === 'person') {
      // A direct message is stored first and delivered by the notifier (retried, once), like every DM.
      await deps.opsdesk.jobs.notifier.notify({ recordId: announcement.recordId, reason: announcement.reason, audience, view: announcement.view }, { deliverNow: true });
      continue;
    }
    if (audience.kind !== 'channel') continue;
    const channel = deps.opsdesk.ctx.catalog.channelFor(audience.service, 'slack');
    if (!channel) {
      deps.opsdesk.log.warn({ recordId: announcement.recordId, service: audience.service }, 'no Slack channel configured for the service');
      continue;
    }
    const { view } = announcement;
    const blocks = renderCard(view, await mentionsIn(deps.opsdesk.ctx.people, [view]));
    const known = await deps.cards.find(announcement.recordId, 'slack');
    let ts = known?.channel === channel ? known.messageId : undefined;
    if (ts) {
      await client.chat.update({ channel, ts, blocks, text: cardFallback(view) });
    } else {
      const posted = await client.chat.postMessage({ channel, blocks, text: cardFallback(view) });
      ts = posted.ts as string;
      await deps.cards.remember(announcement.recordId, 'slack', channel, ts);
    }
    // The line quotes what people typed (a comment, a reason): escaped, so no one mentions the channel or disguises a link.
    if (view.threadLine) await client.chat.postMessage({ channel, thread_ts: ts, text: escapeMrkdwn(view.threadLine) });
  }
}

/** Opens the form of `result` as a modal (must happen within 3 s of the trigger). */
export async function openForm(client: WebClient, triggerId: string, form: FormView, metadata: ModalMetadata): Promise<void> {
  await client.views.open({ trigger_id: triggerId, view: renderModal(form, metadata) });
}

/** A reply only the actor sees, in the channel where they acted (or in their DM with the app). */
export async function tellPrivately(client: WebClient, userId: string, channel: string | undefined, result: HandlerResult): Promise<void> {
  const blocks = renderMessage(result.views);
  const text = fallbackText(result.views);
  if (channel) await client.chat.postEphemeral({ channel, user: userId, blocks, text });
  else await client.chat.postMessage({ channel: userId, blocks, text });
}
