import type { WebClient } from '@slack/web-api';
import { dispatchInteraction } from '../../handlers/dispatch';
import type { Interaction } from '../../handlers/entry-points';
import type { HandlerResult } from '../../handlers/handler';
import type { Actor } from '../../src/people/people-directory';
import type { Announcement, CardView, FormView, NoticeView, View } from '../../src/views/view-model';
import { fallbackText, renderMessage, renderModal, type ModalMetadata } from './render/render-views';
import type { SlackDeps } from './slack-context';

/** Runs the handler the interaction names, with the input its declaration makes of it. */
export function interact(deps: SlackDeps, actor: Actor, interaction: Omit<Interaction, 'platform'>): Promise<HandlerResult> {
  const { ctx, registry, log } = deps.opsdesk;
  return dispatchInteraction(ctx, registry, log, actor, { ...interaction, platform: 'slack' });
}

export const formOf = (result: HandlerResult) => result.views.find((v): v is FormView => v.kind === 'form');
export const errorOf = (result: HandlerResult) => result.views.find((v): v is NoticeView => v.kind === 'notice' && v.tone === 'error');

export const cardOf = (result: HandlerResult) => result.views.find((v): v is CardView => v.kind === 'card');

/**
 * What a handler's result posts, through the outbox (stored, then tried at once): the channel's
 * card and thread line, DMs, and the private reply to the person who acted. A replay of the same
 * request finds these stored already and posts nothing twice.
 */
export async function announce(
  deps: SlackDeps,
  announcements: readonly Announcement[],
  reply: { user: string; channel?: string | undefined; requestKey: string; views: View[]; team?: string | undefined },
): Promise<void> {
  const replyViews = reply.views.filter((v) => v.kind !== 'form' && v.kind !== 'options');
  await deps.opsdesk.jobs.notifier.announce(
    announcements,
    replyViews.length > 0 ? { platform: 'slack', user: reply.user, channel: reply.channel, requestKey: reply.requestKey, views: replyViews } : undefined,
    reply.team ? { workspace: reply.team } : {},
  );
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
