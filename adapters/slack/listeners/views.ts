import type { App, ViewSubmitAction } from '@slack/bolt';
import { INCIDENT_IDS } from '../../../handlers/incident/incident-actions';
import { parseViewState } from '../render/parse-view-state';
import type { ModalMetadata } from '../render/render-views';
import { slackActor } from '../slack-actor';
import type { SlackDeps } from '../slack-context';
import { deliverAnnouncements, errorOf, run, tellPrivately } from '../present';

/** Modals whose submission runs a handler: the form's submit id is the handler id. */
export const SLACK_SUBMISSIONS: readonly string[] = [INCIDENT_IDS.report, INCIDENT_IDS.resolve, INCIDENT_IDS.hold, INCIDENT_IDS.reopen];

function metadataOf(raw: string): ModalMetadata {
  try {
    return JSON.parse(raw) as ModalMetadata;
  } catch {
    return {};
  }
}

export function registerViews(app: App, deps: SlackDeps): void {
  for (const callbackId of SLACK_SUBMISSIONS) {
    app.view<ViewSubmitAction>({ callback_id: callbackId, type: 'view_submission' }, async ({ ack, body, view, client, context }) => {
      const metadata = metadataOf(view.private_metadata);
      const actor = await slackActor(deps.opsdesk.ctx.people, client, body.user.id);
      let permalink: string | undefined;
      if (metadata.extra?.sourceTs && metadata.extra.sourceChannel) {
        permalink = await client.chat
          .getPermalink({ channel: metadata.extra.sourceChannel, message_ts: metadata.extra.sourceTs })
          .then((r) => r.permalink)
          .catch(() => undefined);
      }
      const input = {
        ...parseViewState(view),
        ...(metadata.recordId ? { recordId: metadata.recordId } : {}),
        // A retried submission of the same modal finds the incident the first one created.
        dedupeKey: `slack:view:${view.id}`,
        platform: 'slack',
        ...(permalink ? { permalink } : {}),
      };
      const result = await run(deps, actor, callbackId, input);
      const error = errorOf(result);
      if (error) {
        // Answered in the modal, beside each field (or on the first field when it is about the whole form).
        const firstBlock = view.blocks[0]?.block_id ?? 'summary';
        await ack({ response_action: 'errors', errors: error.fieldErrors && Object.keys(error.fieldErrors).length > 0 ? error.fieldErrors : { [firstBlock]: error.text } });
        return;
      }
      await ack();
      const delivery = deps.deliveryClient(context.botToken);
      await deliverAnnouncements(deps, delivery, result.announcements);
      await tellPrivately(delivery, body.user.id, metadata.channel, { ...result, views: result.views.filter((v) => v.kind !== 'form') });
    });
  }
}
