import { handOverWayOf } from '../../../adapters/slack/http/slack-hand-over-gate';
import { slackFixture } from '../../support/slack/fixtures';

/**
 * Which requests the thread answering Slack hands to the work thread without Bolt: what needs only
 * "received" (stored first when it changes something); what answers with content, Slack's own
 * checks and an uninstall stay with Bolt there.
 */
describe('The hand-over gate: which Slack requests skip Bolt in the answering thread', () => {
  const event = (type: string, more: Record<string, unknown> = {}) => {
    const body = slackFixture('event_app_mention.json');
    body.event = { ...body.event, type, ...more };
    return body;
  };

  it('hands over a command, a shortcut, a mention and App Home opened; stores a click first', () => {
    expect(handOverWayOf(slackFixture('slash_command.json'))).toBe('answer');
    expect(handOverWayOf(slackFixture('block_actions_message_button.json'))).toBe('store');
    expect(handOverWayOf(slackFixture('block_actions_modal.json'))).toBe('store');
    expect(handOverWayOf(slackFixture('message_action.json'))).toBe('answer');
    expect(handOverWayOf(slackFixture('shortcut_global.json'))).toBe('answer');
    expect(handOverWayOf(slackFixture('event_app_mention.json'))).toBe('answer');
    expect(handOverWayOf(slackFixture('event_app_home_opened.json'))).toBe('answer');
  });

  it('answers App Home\'s other tabs and a mention by no person, and hands nothing over', () => {
    expect(handOverWayOf(event('app_home_opened', { tab: 'messages' }))).toBe('ignore');
    expect(handOverWayOf(event('app_mention', { user: undefined }))).toBe('ignore');
  });

  it('leaves to Bolt what answers with content, Slack\'s own checks and an uninstall', () => {
    expect(handOverWayOf(slackFixture('view_submission.json'))).toBeUndefined();
    expect(handOverWayOf(slackFixture('block_suggestion.json'))).toBeUndefined();
    expect(handOverWayOf(slackFixture('event_url_verification.json'))).toBeUndefined();
    expect(handOverWayOf({ ssl_check: '1', token: 'x' })).toBeUndefined();
    expect(handOverWayOf(event('app_uninstalled'))).toBeUndefined();
    expect(handOverWayOf(event('tokens_revoked'))).toBeUndefined();
  });
});
