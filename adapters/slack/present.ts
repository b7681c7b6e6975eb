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

export const cardOf = (result: HandlerResult) => result.views.find((v): v is CardView => v.kind === 'card');

/** Slack message metadata on every channel card: which record it shows, so a replay finds a card posted before a crash. */
const CARD_METADATA = 'opsdesk_card';

/**
 * A card a process posted and died before remembering (replays only: reading a channel's history
 * costs a rate-limited call).
 */
async function cardPostedEarlier(client: WebClient, channel: string, recordId: string): Promise<string | undefined> {
  const history = await client.conversations.history({ channel, include_all_metadata: true, limit: 200 });
  const card = (history.messages ?? []).find(
    (m) => m.metadata?.event_type === CARD_METADATA && (m.metadata.event_payload as { record_id?: string } | undefined)?.record_id === recordId,
  );
  return card?.ts;
}

/**
 * Posts each announcement: the record's card in its service channel is edited in place (or
 * posted the first time, and remembered), and the change is added to the card's thread. A replay
 * first looks for a card its first try posted without remembering it.
 */
export async function deliverAnnouncements(deps: SlackDeps, client: WebClient, announcements: Announcement[], options: { replayed?: boolean } = {}): Promise<void> {
  for (const announcement of await deps.opsdesk.jobs.notifier.tellPeople(announcements)) {
    const { audience } = announcement;
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
    if (!ts && options.replayed) {
      ts = await cardPostedEarlier(client, channel, announcement.recordId);
      if (ts) await deps.cards.remember(announcement.recordId, 'slack', channel, ts);
    }
    if (ts) {
      await client.chat.update({ channel, ts, blocks, text: cardFallback(view) });
    } else {
      const posted = await client.chat.postMessage({
        channel,
        blocks,
        text: cardFallback(view),
        metadata: { event_type: CARD_METADATA, event_payload: { record_id: announcement.recordId } },
      });
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
