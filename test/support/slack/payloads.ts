import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import { encodeActionValue } from '../../../adapters/slack/render/action-value';
import { slackFixture } from './fixtures';
import { SLACK_USERS } from './slack-harness';

/** A view_submission shaped as the fixture, carrying our report modal's callback id and values. */
export function reportSubmission(viewId: string, values: Record<string, unknown>, user: string = SLACK_USERS.jamie.id) {
  const payload = slackFixture('view_submission.json');
  payload.user.id = user;
  payload.trigger_id = `${viewId}.trigger`;
  payload.view.id = viewId;
  payload.view.callback_id = INCIDENT_IDS.report;
  payload.view.private_metadata = JSON.stringify({ channel: 'C00FAKECHN1' });
  payload.view.blocks = Object.keys(values).map((blockId) => ({ type: 'input', block_id: blockId }));
  payload.view.state = { values };
  return payload;
}

export const reportValues = (summary: string | null) => ({
  summary: { summary: { type: 'plain_text_input', value: summary } },
  service: { service: { type: 'static_select', selected_option: { value: 'vpn', text: { type: 'plain_text', text: 'VPN' } } } },
  impact: { impact: { type: 'static_select', selected_option: { value: 'high', text: { type: 'plain_text', text: 'High' } } } },
  urgency: { urgency: { type: 'static_select', selected_option: { value: 'medium', text: { type: 'plain_text', text: 'Medium' } } } },
  // 2,990 characters: within the form's limit, but over Block Kit's 3,000 once `&` is escaped for mrkdwn.
  description: { description: { type: 'plain_text_input', value: 'Disconnects & reconnects. '.repeat(115) } },
});

/** A response URL on this machine where nothing listens (port 9, discard): an answer sent there is refused at once. */
export const UNREACHABLE_RESPONSE_URL = 'http://127.0.0.1:9/actions/T00FAKE0001/0000000000001/unreachable';

/** A card button click shaped as the fixture; `message` places it on a posted card. */
export function buttonClick(action: string, recordId: string, user: string, message?: { channel: string; ts: string }, value?: string) {
  const payload = slackFixture('block_actions_message_button.json');
  // The fixture's response URL is Slack's: nothing a test sends may leave the machine. This one
  // refuses at once (callers that read the answer point it at the recording Web API).
  payload.response_url = UNREACHABLE_RESPONSE_URL;
  payload.user = { id: user };
  payload.trigger_id = `${user}.${action}.${Math.random()}`;
  if (message) {
    payload.container = { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false };
    payload.channel = { id: message.channel };
    payload.message.ts = message.ts;
  }
  payload.actions = [{ ...payload.actions[0], action_id: action, block_id: `actions:${recordId}`, value: encodeActionValue({ recordId, ...(value ? { value } : {}) }) }];
  return payload;
}
