import type { App, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { checkInteraction } from '../../../handlers/dispatch';
import type { Interaction } from '../../../handlers/entry-points';
import { parseViewState } from '../render/parse-view-state';
import type { ModalMetadata } from '../render/render-views';
import { slackActor, slackActorBeforeAck } from '../slack-actor';
import type { SlackDeps } from '../slack-context';
import { afterAck, handedOverOf, storeThenAck } from '../after-ack';
import { announce, errorOf, interact, tellPrivately } from '../present';
import { anyOf } from './any-of';

const SLACK_CHANNEL_ID = /^[A-Z0-9]{2,40}$/;

type ViewErrors = { response_action: 'errors'; errors: Record<string, string> };

/** Our modal's private_metadata (JSON we wrote); anything else, or any part of another shape, is left out. */
function metadataOf(raw: string | undefined): ModalMetadata {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw ?? '{}');
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const { recordId, channel, extra } = parsed as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 && value.length <= 255 ? value : undefined);
  const sourceTs = text((extra as Record<string, unknown> | undefined)?.sourceTs);
  const sourceChannel = text((extra as Record<string, unknown> | undefined)?.sourceChannel);
  return {
    ...(text(recordId) ? { recordId: text(recordId) } : {}),
    ...(text(channel) && SLACK_CHANNEL_ID.test(channel as string) ? { channel: channel as string } : {}),
    ...(sourceTs && sourceChannel && SLACK_CHANNEL_ID.test(sourceChannel) ? { extra: { sourceTs, sourceChannel } } : {}),
  };
}

/** The interaction a modal's submission stands for, and where it was opened. */
function submissionOf(body: ViewSubmitAction): { interaction: Interaction; metadata: ModalMetadata } {
  const { view } = body;
  const metadata = metadataOf(view.private_metadata);
  const interaction: Interaction = {
    entry: view.callback_id,
    platform: 'slack',
    // A retried submission of the same modal carries the same view id.
    requestKey: view.id,
    form: parseViewState(view),
    ...(metadata.recordId ? { recordId: metadata.recordId } : {}),
  };
  return { interaction, metadata };
}

/**
 * A submission's work, after its acknowledgement (or replayed from the intake after a crash):
 * the handler runs; the channel's card and thread and the person's private answer go out through the outbox.
 */
export async function doSubmission(deps: SlackDeps, body: ViewSubmitAction, client: WebClient, replayed = false): Promise<void> {
  const { interaction, metadata } = submissionOf(body);
  if (replayed) interaction.replayed = true;
  const actor = await slackActor(deps, client, body.user.id);
  const { sourceTs, sourceChannel } = metadata.extra ?? {};
  if (sourceTs && sourceChannel) {
    // The reported message's link; the record is created without it if Slack will not say.
    const link = await client.chat.getPermalink({ channel: sourceChannel, message_ts: sourceTs }).catch(() => undefined);
    if (link?.permalink) interaction.source = { text: '', permalink: link.permalink };
  }
  const result = await interact(deps, actor, interaction);
  if (errorOf(result)) {
    // Refused after the modal closed (no such configuration item, not allowed): said at once,
    // privately, and kept nowhere (a refusal changes nothing; lost, the person submits again).
    await tellPrivately(deps, client, { user: body.user.id, channel: metadata.channel }, result);
    return;
  }
  await announce(deps, result.announcements, {
    user: body.user.id,
    channel: metadata.channel,
    requestKey: body.view.id,
    views: result.views,
    team: body.team?.id,
  });
}

/** Answers a submission whose fields are not valid with their errors, in the modal; false when they are valid. */
async function answeredWithErrors(deps: SlackDeps, body: ViewSubmitAction, ack: (answer: ViewErrors) => Promise<void>): Promise<boolean> {
  const actor = await slackActorBeforeAck(deps, body.user.id);
  const invalid = checkInteraction(deps.opsdesk.ctx, deps.opsdesk.registry, actor.locale, submissionOf(body).interaction);
  if (!invalid) return false;
  const firstBlock = body.view.blocks?.[0]?.block_id ?? 'summary';
  await ack({ response_action: 'errors', errors: invalid.fieldErrors && Object.keys(invalid.fieldErrors).length > 0 ? invalid.fieldErrors : { [firstBlock]: invalid.text } });
  return true;
}

/**
 * Every form the declarations accept: the modal's callback id is the form's submit id, which is
 * the handler id. Field errors go back into the modal; a valid submission is stored in the intake
 * before it is acknowledged, and its work happens after.
 */
export function registerViews(app: App, deps: SlackDeps): void {
  // One listener for every form (Bolt runs every listener's matchers on every request).
  app.view<ViewSubmitAction>({ callback_id: anyOf(deps.opsdesk.registry.idsWith('form')), type: 'view_submission' }, async ({ ack, body, client, context }) => {
    const { metadata } = submissionOf(body);
    const handedOver = handedOverOf(context);
    // Field errors go back in the modal, so the input is checked before answering (a submission
    // handed over was checked by the thread that answered).
    if (!handedOver && (await answeredWithErrors(deps, body, ack))) return;
    const stored = await storeThenAck(deps, body, () => ack(), handedOver);
    if (!stored) return;
    await afterAck(deps, { body, userId: body.user.id, channel: metadata.channel, botToken: context.botToken, accepted: stored.accepted, receivedAt: handedOver?.receivedAt }, () =>
      doSubmission(deps, body, client),
    );
  });
}
