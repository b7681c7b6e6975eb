import { channelPace, workspaceOf } from '../../../adapters/slack/slack-limits';
import type { Database } from '../../../src/db/connect';
import type { NotificationDoc } from '../../../src/models/notification.model';
import type { DeliveryOutcome } from '../../../src/services/notifier';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';
import { startSlackHarness, type SlackHarness } from '../../support/slack/slack-harness';
import { recordingClient, slackDeliverer } from '../../support/slack/slack-deliverer';

/** Lines into a channel whose turns are taken further ahead than they may wait are gathered, not queued. */
describe('a backed-up channel gets one digest edited in place (recording Slack API with its limits)', () => {
  let database: Database;
  let slack: SlackHarness;
  beforeAll(async () => {
    database = await openTestDatabase('slack_digest');
    slack = await startSlackHarness(database);
  });
  afterAll(async () => {
    await slack.close();
    await dropTestDatabase(database);
  });

  const line = (n: number): NotificationDoc => ({
    _id: `INC900000${n}:sla.resolution.50:thread:slack`,
    recordId: `INC900000${n}`,
    reason: 'sla.resolution.50',
    platform: 'slack',
    audience: { kind: 'thread', service: 'vpn' },
    view: { kind: 'card', title: `INC900000${n}`, fields: [], actions: [], text: `INC900000${n}: 50% of the resolution time has passed.` },
    createdAt: new Date(),
  });

  it('SLA lines beyond the wait are listed in one message (posted once, then edited), none in a thread, none lost', async () => {
    const client = recordingClient(slack);
    const deliverer = slackDeliverer(slack, { client, coalesceAfterMs: 1_500 });
    for (let n = 1; n <= 6; n++) await slack.app.cards.remember(`INC900000${n}`, 'slack', 'C0SERVICEDESK', `1700000000.00000${n}`);
    // Other messages have the channel's next turns: whatever comes now would wait about 3 s.
    const pace = channelPace(workspaceOf(client), 'C0SERVICEDESK');
    for (let i = 0; i < 4; i++) await slack.app.outbox.pacer.take(pace);

    const outcomes: DeliveryOutcome[] = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => deliverer.deliver(line(n))));

    const inThreads = slack.api.callsOf('chat.postMessage').filter((c) => c.args.thread_ts);
    expect(inThreads).toEqual([]);
    const digests = slack.api.callsOf('chat.postMessage').filter((c) => (c.args.metadata as { event_type?: string } | undefined)?.event_type === 'opsdesk_digest');
    expect(digests).toHaveLength(1);
    const ts = digests[0]!.ts as string;
    const edits = slack.api.callsOf('chat.update').filter((c) => c.args.ts === ts);
    const shown = String((edits.at(-1) ?? digests[0]!).args.text);
    expect(shown.split('\n')[0]).toBe('6 incidents reached 50% of their resolution time:');
    for (let n = 1; n <= 6; n++) expect(shown).toContain(`INC900000${n}: 50% of the resolution time has passed.`);
    expect(outcomes.every((o) => o.kind === 'delivered' && o.location?.messageId === ts)).toBe(true);
    expect(slack.api.limitedCalls).toEqual([]);

    // Delivered again after a crash, the channel no longer backed up: the digest lists it already,
    // so it stays there (the digest shown again) and is not posted into its thread.
    await new Promise((r) => setTimeout(r, 3_000));
    const before = slack.api.callsOf('chat.postMessage').length;
    await expect(deliverer.deliver(line(3), true)).resolves.toMatchObject({ kind: 'delivered', location: { messageId: ts } });
    expect(slack.api.callsOf('chat.postMessage')).toHaveLength(before);
  }, 30_000);
});
