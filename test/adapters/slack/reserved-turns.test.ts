import { channelPace, methodPace, workspaceOf } from '../../../adapters/slack/slack-limits';
import type { Database } from '../../../src/db/connect';
import type { NotificationDoc } from '../../../src/models/notification.model';
import { Pacer } from '../../../src/services/pacing';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';
import { startSlackHarness, type SlackHarness } from '../../support/slack/slack-harness';
import { recordingClient, slackDeliverer } from '../../support/slack/slack-deliverer';

/**
 * A message that is never listed in a digest (here a mention's answer in its thread; a new ticket's
 * card is listed instead, folded-cards.test.ts) into a channel backed up a minute ahead has its turn
 * reserved, and is posted once, at it.
 */
describe('a delivery whose turn is far off holds it (recording Slack API with its limits)', () => {
  let database: Database;
  let slack: SlackHarness;
  beforeAll(async () => {
    database = await openTestDatabase('slack_reserved_turns');
    slack = await startSlackHarness(database);
  });
  afterAll(async () => {
    await slack.close();
    await dropTestDatabase(database);
  });

  const card = (n: number): NotificationDoc => ({
    _id: `INC91000${n}:mention.answer:reply:slack`,
    recordId: `INC91000${n}`,
    reason: 'mention.answer',
    platform: 'slack',
    audience: { kind: 'reply', platform: 'slack', user: 'U00FAKEUSR1', channel: 'C0SERVICEDESK', thread: `1700000000.00000${n}` },
    view: { kind: 'card', title: `INC91000${n}`, fields: [], actions: [], version: 1 },
    createdAt: new Date(),
  });

  it('comes back shortly before its turn, instead of trying every 45 s, and goes at it in whichever process', async () => {
    let nowMs = Date.now();
    const client = recordingClient(slack);
    const delivererAt = () => slackDeliverer(slack, { client, pacer: new Pacer(database.models, () => nowMs) });
    const pacer = new Pacer(database.models, () => nowMs);
    // Other messages hold the channel's turns for the next minute.
    const pace = channelPace(workspaceOf(client), 'C0SERVICEDESK');
    for (let i = 0; i < 62; i++) await pacer.take(pace);

    const first = await delivererAt().deliver(card(1));
    const second = await delivererAt().deliver(card(2));
    expect(first).toMatchObject({ kind: 'retry', waiting: true });
    expect(second).toMatchObject({ kind: 'retry', waiting: true });
    const comeBack = [first, second].map((o) => (o.kind === 'retry' ? (o.afterMs as number) : NaN));
    // About a minute off, come back to 15 s before it; the second's turn is the one after.
    expect(comeBack[0]).toBeGreaterThan(40_000);
    expect(comeBack[0]).toBeLessThan(50_000);
    expect(comeBack[1]! - comeBack[0]!).toBeGreaterThanOrEqual(500);
    expect(slack.api.callsOf('chat.postMessage')).toEqual([]);

    // Asked again too early (a lease timer), it still waits for the same turn, and takes no other.
    expect(await delivererAt().deliver(card(1), true)).toMatchObject({ kind: 'retry', afterMs: comeBack[0] });

    // At its turn, in another process: posted at once, once.
    nowMs += comeBack[0]! + 15_000;
    expect(await delivererAt().deliver(card(1), true)).toMatchObject({ kind: 'delivered' });
    expect(slack.api.callsOf('chat.postMessage')).toHaveLength(1);
    expect(await database.models.PaceSlot.findById(`hold:${pace.key}:${card(1)._id}`).lean()).toBeNull();
    expect(slack.api.limitedCalls).toEqual([]);
  });

  /** An edit of a posted card, drawing `version` of its ticket. */
  const edit = (version: number): NotificationDoc => ({
    _id: `INC910100:card.v${version}:card:slack`,
    recordId: 'INC910100',
    reason: `card.v${version}`,
    platform: 'slack',
    audience: { kind: 'card', service: 'vpn' },
    view: { kind: 'card', title: `INC910100 VPN drops (version ${version})`, fields: [], actions: [], version },
    createdAt: new Date(),
  });

  it('gives the edits of one card waiting for chat.update one turn, at which the newest is drawn, once', async () => {
    let nowMs = Date.now();
    const client = recordingClient(slack);
    const delivererAt = () => slackDeliverer(slack, { client, pacer: new Pacer(database.models, () => nowMs) });
    await slack.app.cards.remember('INC910100', 'slack', 'C0SERVICEDESK', '1700000000.100000', 1);
    // Other cards' edits hold the workspace's chat.update turns for the next minute and a half.
    const pace = methodPace(workspaceOf(client), 'chat.update');
    const pacer = new Pacer(database.models, () => nowMs);
    for (let i = 0; i < Math.ceil(90_000 / pace.intervalMs); i++) await pacer.take(pace);
    const turnsTaken = async () => (await database.models.PaceSlot.find({ _id: { $regex: `^${pace.key}:` } }).lean()).length;
    const before = await turnsTaken();

    // Three changes of the ticket, and a late delivery of an older one: one turn taken, the same for all.
    const outcomes = [];
    for (const version of [2, 3, 4]) outcomes.push(await delivererAt().deliver(edit(version)));
    expect(outcomes.map((o) => o.kind)).toEqual(['retry', 'retry', 'retry']);
    const comeBack = outcomes.map((o) => (o.kind === 'retry' ? o.afterMs : NaN));
    expect(comeBack[0]).toBeGreaterThan(60_000);
    expect(new Set(comeBack).size).toBe(1);
    expect(await turnsTaken()).toBe(before + 1);
    expect(await database.models.PaceSlot.findById(`hold:${pace.key}:edit:INC910100:slack`).lean()).toMatchObject({ by: edit(4)._id, version: 4 });
    // An older change delivered late finds the newer one holding the card's turn: nothing to draw.
    expect(await delivererAt().deliver(edit(3), true)).toMatchObject({ kind: 'delivered' });
    expect(await turnsTaken()).toBe(before + 1);

    // At the turn, the older edits come back first: drawn by the newest, they call nothing.
    nowMs += comeBack[0]! + 15_000;
    for (const version of [2, 3]) expect(await delivererAt().deliver(edit(version), true)).toMatchObject({ kind: 'delivered' });
    expect(slack.api.callsOf('chat.update')).toEqual([]);
    expect(await delivererAt().deliver(edit(4), true)).toMatchObject({ kind: 'delivered' });
    const updates = slack.api.callsOf('chat.update');
    expect(updates).toHaveLength(1);
    expect(updates[0]!.args).toMatchObject({ channel: 'C0SERVICEDESK', ts: '1700000000.100000', text: expect.stringContaining('version 4') });
    expect(await slack.app.cards.find('INC910100', 'slack')).toMatchObject({ version: 4 });
    expect(await database.models.PaceSlot.findById(`hold:${pace.key}:edit:INC910100:slack`).lean()).toBeNull();

    // A change after that takes a turn of its own, and an older one still waiting is not drawn over it.
    expect(await delivererAt().deliver(edit(5))).toMatchObject({ kind: 'delivered' });
    expect(await delivererAt().deliver(edit(3), true)).toMatchObject({ kind: 'delivered' });
    expect(slack.api.callsOf('chat.update')).toHaveLength(2);
    expect(await slack.app.cards.find('INC910100', 'slack')).toMatchObject({ version: 5 });
    expect(slack.api.limitedCalls).toEqual([]);
  });
});
