import type { WebClient } from '@slack/web-api';
import { methodPace, workspaceOf } from '../../../adapters/slack/slack-limits';
import type { Database } from '../../../src/db/connect';
import type { NotificationDoc } from '../../../src/models/notification.model';
import { Pacer } from '../../../src/services/pacing';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';
import { SLACK_USERS, startSlackHarness, type SlackHarness } from '../../support/slack/slack-harness';
import { recordingClient, slackDeliverer } from '../../support/slack/slack-deliverer';
import { UNREACHABLE_RESPONSE_URL } from '../../support/slack/payloads';

/**
 * A click's answer goes back through its response URL, which counts against no limit.
 * chat.postEphemeral is the workspace's (Tier 4, about 100 a minute for everyone): a storm of
 * reports, each confirmed to its reporter, asks for more. A person's answer whose ephemeral would
 * wait beyond the coalescing wait goes to their direct message with the app, whose turns are theirs.
 */
describe('a private answer when the workspace\'s ephemerals are backed up (recording Slack API with its limits)', () => {
  let database: Database;
  let slack: SlackHarness;
  let client: WebClient;
  const nowMs = Date.now();
  beforeAll(async () => {
    database = await openTestDatabase('slack_ephemeral_backlog');
    slack = await startSlackHarness(database);
    client = recordingClient(slack);
  });
  afterAll(async () => {
    await slack.close();
    await dropTestDatabase(database);
  });

  const deliverer = () => slackDeliverer(slack, { client, pacer: new Pacer(database.models, () => nowMs) });
  const reply = (n: number): NotificationDoc => ({
    _id: `INC93000${n}:incident.reported:reply:slack`,
    recordId: `INC93000${n}`,
    reason: 'incident.reported',
    platform: 'slack',
    audience: { kind: 'reply', platform: 'slack', user: SLACK_USERS.jamie.id, channel: 'C0MESSAGING' },
    view: { kind: 'card', title: `INC93000${n}`, fields: [], actions: [], text: `INC93000${n} is open.` },
    createdAt: new Date(),
  });

  /** Other answers hold the workspace's ephemeral turns for the next minute. */
  const ephemeralsBackedUp = async () => {
    const pacer = new Pacer(database.models, () => nowMs);
    for (let i = 0; i < 100; i++) await pacer.take(methodPace(workspaceOf(client), 'chat.postEphemeral'));
  };

  it('is ephemeral while ephemerals go within the wait, and a direct message once they would wait longer, never held for minutes', async () => {
    await expect(deliverer().deliver(reply(1))).resolves.toMatchObject({ kind: 'delivered' });
    expect(slack.api.callsOf('chat.postEphemeral').map((c) => c.args.user)).toEqual([SLACK_USERS.jamie.id]);

    await ephemeralsBackedUp();
    const outcome = await deliverer().deliver(reply(2));
    expect(outcome).toMatchObject({ kind: 'delivered', location: { channel: `D${SLACK_USERS.jamie.id}` } });
    expect(slack.api.callsOf('chat.postEphemeral')).toHaveLength(1);
    const dms = slack.api.callsOf('chat.postMessage').filter((c) => c.args.channel === SLACK_USERS.jamie.id);
    expect(dms).toHaveLength(1);
    expect(JSON.stringify(dms[0]!.args.blocks)).toContain('INC930002 is open.');
    expect(await database.models.PaceSlot.countDocuments({ _id: { $regex: '^hold:' } })).toBe(0);
    expect(slack.api.limitedCalls).toEqual([]);
  }, 30_000);

  it("answers a click through the click's response URL while it lives, whatever the ephemerals' backlog; once expired, in the DM", async () => {
    await ephemeralsBackedUp();
    const clicked = { ...reply(3), audience: { ...reply(3).audience, responseUrl: slack.api.responseUrl('click-3') } } as NotificationDoc;
    const before = { ephemerals: slack.api.callsOf('chat.postEphemeral').length, posts: slack.api.callsOf('chat.postMessage').length };
    await expect(deliverer().deliver(clicked)).resolves.toMatchObject({ kind: 'delivered' });
    const answered = slack.api.callsOf('response_url').filter((c) => c.responseId === 'click-3');
    expect(answered).toHaveLength(1);
    expect(answered[0]!.args).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(JSON.stringify(answered[0]!.args.blocks)).toContain('INC930003 is open.');
    expect(slack.api.callsOf('chat.postEphemeral')).toHaveLength(before.ephemerals);
    expect(slack.api.callsOf('chat.postMessage')).toHaveLength(before.posts);

    // Half an hour on, Slack no longer takes it: the answer goes the other way (here the DM, the ephemerals backed up).
    const late = { ...clicked, _id: 'INC930004:incident.reported:reply:slack', createdAt: new Date(Date.now() - 31 * 60_000) } as NotificationDoc;
    await expect(deliverer().deliver(late)).resolves.toMatchObject({ kind: 'delivered' });
    expect(slack.api.callsOf('response_url').filter((c) => c.responseId === 'click-3')).toHaveLength(1);
    expect(slack.api.callsOf('chat.postMessage')).toHaveLength(before.posts + 1);

    // A URL Slack refuses (used up, expired: 404) or that nothing answers: told the other way all the same.
    slack.api.override = (call) => (call.method === 'response_url' ? { status: 404, body: 'expired_url' } : undefined);
    try {
      const refused = { ...clicked, _id: 'INC930005:incident.reported:reply:slack', audience: { ...clicked.audience, responseUrl: slack.api.responseUrl('click-5') } } as NotificationDoc;
      await expect(deliverer().deliver(refused)).resolves.toMatchObject({ kind: 'delivered' });
      expect(slack.api.callsOf('response_url').filter((c) => c.responseId === 'click-5')).toHaveLength(1);
      expect(slack.api.callsOf('chat.postMessage')).toHaveLength(before.posts + 2);
    } finally {
      slack.api.override = undefined;
    }
    const unanswered = { ...clicked, _id: 'INC930006:incident.reported:reply:slack', audience: { ...clicked.audience, responseUrl: UNREACHABLE_RESPONSE_URL } } as NotificationDoc;
    await expect(deliverer().deliver(unanswered)).resolves.toMatchObject({ kind: 'delivered' });
    expect(slack.api.callsOf('chat.postMessage')).toHaveLength(before.posts + 3);
  }, 30_000);
});
