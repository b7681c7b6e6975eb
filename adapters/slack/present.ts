import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { dispatchInteraction } from '../../handlers/dispatch';
import type { Interaction } from '../../handlers/entry-points';
import type { HandlerResult } from '../../handlers/handler';
import type { Actor } from '../../src/people/people-directory';
import type { Announcement, CardView, FormView, NoticeView, View } from '../../src/views/view-model';
import { fallbackText, renderMessage, renderModal, type ModalMetadata } from './render/render-views';
import type { SlackDeps } from './slack-context';
import { channelPace, NotYet, waitForMethodTurn, workspaceOf } from './slack-limits';

/** A refusal waits this long at most for its turn within a limit. */
const REFUSAL_WAIT_MS = 10_000;

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
  reply: { user: string; channel?: string | undefined; thread?: string | undefined; responseUrl?: string | undefined; requestKey: string; views: View[]; team?: string | undefined },
): Promise<void> {
  const replyViews = reply.views.filter((v) => v.kind !== 'form' && v.kind !== 'options');
  await deps.opsdesk.jobs.notifier.announce(
    announcements,
    replyViews.length > 0
      ? { platform: 'slack', user: reply.user, channel: reply.channel, thread: reply.thread, responseUrl: reply.responseUrl, requestKey: reply.requestKey, views: replyViews }
      : undefined,
    reply.team ? { workspace: reply.team } : {},
  );
}

/**
 * How long after its request arrived a modal may still be opened: its trigger expires 3 s after the
 * command or click, and Slack's call takes some of that.
 */
const FORM_DEADLINE_MS = 2_500;

/**
 * Opens the form of `result` as a modal within views.open's limit, while the trigger of the request
 * received at `receivedAt` (epoch ms) lives: NotYet when its turn comes later than that (the person
 * is told to try again).
 */
export async function openForm(deps: SlackDeps, client: WebClient, triggerId: string, form: FormView, metadata: ModalMetadata, receivedAt: number): Promise<void> {
  await waitForMethodTurn(deps.opsdesk.outbox.pacer, client, 'views.open', Math.max(0, receivedAt + FORM_DEADLINE_MS - Date.now()));
  await client.views.open({ trigger_id: triggerId, view: renderModal(form, metadata) });
}

/**
 * A reply only the actor sees (a refusal: it changes nothing and is kept nowhere): through the
 * interaction's response URL when there is one (it counts against no method's limit), else an
 * ephemeral where they acted or their direct message with the app, each within its limit.
 */
export async function tellPrivately(
  deps: SlackDeps,
  client: WebClient,
  to: { user: string; channel?: string | undefined; respond?: RespondFn | undefined },
  result: HandlerResult,
): Promise<void> {
  const blocks = renderMessage(result.views);
  const text = fallbackText(result.views);
  if (to.respond) {
    try {
      await to.respond({ response_type: 'ephemeral', replace_original: false, blocks, text });
      return;
    } catch (error) {
      deps.opsdesk.log.warn({ err: error, user: to.user }, 'the response URL did not take the reply: told another way');
    }
  }
  const { pacer } = deps.opsdesk.outbox;
  if (to.channel) {
    await waitForMethodTurn(pacer, client, 'chat.postEphemeral', REFUSAL_WAIT_MS);
    await client.chat.postEphemeral({ channel: to.channel, user: to.user, blocks, text });
    return;
  }
  const { ready, waitMs } = await pacer.waitForTurn(channelPace(workspaceOf(client), to.user), REFUSAL_WAIT_MS);
  if (!ready) throw new NotYet(waitMs, 'waiting for a turn in the direct message');
  await client.chat.postMessage({ channel: to.user, blocks, text });
}
