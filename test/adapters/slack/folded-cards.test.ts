import type { WebClient } from '@slack/web-api';
import type { SlackNotificationDeliverer } from '../../../adapters/slack/notification-deliverer';
import { QUIET_FALLBACK_MS, QuietChannels } from '../../../adapters/slack/quiet-channels';
import { channelPace, workspaceOf } from '../../../adapters/slack/slack-limits';
import type { Database } from '../../../src/db/connect';
import type { NotificationDoc } from '../../../src/models/notification.model';
import { Pacer } from '../../../src/services/pacing';
import { SlotLogs } from '../../../src/services/slot-log';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import { commandsDuring, dropTestDatabase, openTestDatabase } from '../../support/test-database';
import { startSlackHarness, type SlackHarness } from '../../support/slack/slack-harness';
import { recordingClient, slackDeliverer } from '../../support/slack/slack-deliverer';

const eventTypeOf = (args: Record<string, unknown>) => (args.metadata as { event_type?: string } | undefined)?.event_type;

/**
 * A storm of reports into one service channel asks for more cards than Slack posts there (one
 * message a second): beyond the wait, new tickets are listed in one digest with their buttons,
 * rather than each holding a turn minutes ahead and its thread lines waiting for it.
 */
describe("a backed-up channel lists new tickets in a digest instead of queueing their cards (recording Slack API with its limits)", () => {
  let database: Database;
  let slack: SlackHarness;
  let nowMs = Date.now();
  let client: WebClient;
  let deliverer: SlackNotificationDeliverer;
  beforeAll(async () => {
    database = await openTestDatabase('slack_folded_cards', { monitorCommands: true });
    slack = await startSlackHarness(database);
    client = recordingClient(slack);
    deliverer = slackDeliverer(slack, { client, pacer: new Pacer(database.models, () => nowMs), coalesceAfterMs: 1_500 });
  });
  afterAll(async () => {
    await slack.close();
    await dropTestDatabase(database);
  });

  const record = (n: number) => `INC92000${n}`;
  const card = (n: number, version = 1): NotificationDoc => ({
    _id: `${record(n)}:card.v${version}:card:slack`,
    recordId: record(n),
    reason: `card.v${version}`,
    platform: 'slack',
    audience: { kind: 'card', service: 'vpn' },
    view: {
      kind: 'card',
      title: `${record(n)} VPN drops every few minutes`,
      fields: [{ label: 'Priority', value: 'P2' }],
      actions: [{ actionId: INCIDENT_IDS.ack, label: 'Acknowledge', recordId: record(n), style: 'primary' }],
      version,
    },
    createdAt: new Date(),
  });
  const line = (n: number, what: string, version?: number): NotificationDoc => ({
    _id: `${record(n)}:line.${what}:thread:slack`,
    recordId: record(n),
    reason: `line.${what}`,
    platform: 'slack',
    audience: { kind: 'thread', service: 'vpn', afterCard: true },
    view: { kind: 'card', title: record(n), fields: [], actions: [], text: `Jamie did ${what}.`, ...(version !== undefined ? { version } : {}) },
    createdAt: new Date(),
  });
  const pace = () => channelPace(workspaceOf(client), 'C0SERVICEDESK');
  const cardPosts = () => slack.api.callsOf('chat.postMessage').filter((c) => eventTypeOf(c.args) === 'opsdesk_card');
  const digestPosts = () => slack.api.callsOf('chat.postMessage').filter((c) => eventTypeOf(c.args) === 'opsdesk_digest');
  const cardsOf = (n: number) => cardPosts().filter((c) => (c.args.metadata as { event_payload?: { record_id?: string } }).event_payload?.record_id === record(n));
  /** Other messages take the channel's next turns (a card now would wait about 3 s), then the tickets' cards come. */
  const inStorm = async (...tickets: number[]) => {
    const pacer = new Pacer(database.models, () => nowMs);
    for (let i = 0; i < 4; i++) await pacer.take(pace());
    return Promise.all(tickets.map((n) => deliverer.deliver(card(n))));
  };
  const shownIn = (ts: string) => {
    const post = digestPosts().find((c) => c.ts === ts)!;
    const edits = slack.api.callsOf('chat.update').filter((c) => c.args.ts === ts);
    return (edits.at(-1) ?? post).args;
  };

  it('lists the new tickets with their buttons in one message, their handler lines in another, and posts neither alone', async () => {
    const digestsBefore = digestPosts().length;
    let outcomes: Awaited<ReturnType<typeof inStorm>> = [];
    const commands = await commandsDuring(database, async () => (outcomes = await inStorm(1, 2, 3, 4)));
    // Each found by `_id` alone, so that listing costs the same however many cards the desk has posted (docs/storage.md §2).
    const notById = commands.filter((c) => c.filter !== undefined && Object.keys(c.filter as object).join() !== '_id');
    expect(notById).toEqual([]);
    for (let n = 1; n <= 4; n++) expect(cardsOf(n)).toEqual([]);
    expect(digestPosts()).toHaveLength(digestsBefore + 1);
    const ts = digestPosts().at(-1)!.ts as string;
    expect(outcomes.every((o) => o.kind === 'delivered' && o.location?.messageId === ts)).toBe(true);
    const shown = shownIn(ts);
    expect(String(shown.text).split('\n')[0]).toMatch(/^4 new tickets/);
    for (let n = 1; n <= 4; n++) expect(String(shown.text)).toContain(`${record(n)} VPN drops every few minutes`);
    // Each line keeps its ticket's first button, which acts on that ticket wherever it is clicked.
    const buttons = (shown.blocks as { accessory?: { action_id: string; value: string } }[]).flatMap((b) => (b.accessory ? [b.accessory] : []));
    expect(buttons.map((b) => b.action_id)).toEqual([1, 2, 3, 4].map(() => INCIDENT_IDS.ack));
    for (let n = 1; n <= 4; n++) expect(await database.models.CardLocation.findById(`${record(n)}:slack`).lean()).toMatchObject({ channel: 'C0SERVICEDESK', foldedInto: expect.any(String) });

    // The line announced with the card's listed version says nothing the listing does not: not listed again.
    await expect(deliverer.deliver(line(1, 'incident.create.v1', 1))).resolves.toMatchObject({ kind: 'delivered' });
    // A later handler's line whose card is listed there does not wait for a card: it joins the updates' digest.
    const lines = await Promise.all([1, 2].map((n) => deliverer.deliver(line(n, 'incident.ack.v2', 2))));
    expect(lines.every((o) => o.kind === 'delivered')).toBe(true);
    expect(slack.api.callsOf('chat.postMessage').filter((c) => c.args.thread_ts)).toEqual([]);
    const updates = digestPosts().find((c) => c.ts !== ts)!;
    const updatesShown = String(shownIn(updates.ts as string).text);
    expect(updatesShown).toContain(`${record(1)}: Jamie did incident.ack.v2.`);
    expect(updatesShown).toContain(`${record(2)}: Jamie did incident.ack.v2.`);
    expect(updatesShown).not.toContain('incident.create.v1');
    expect(slack.api.callsOf('chat.postMessage').some((c) => String(c.args.text).includes('incident.create.v1'))).toBe(false);

    // Tried again (a crash after it was listed), a card or a line is not listed twice, nor posted.
    await expect(deliverer.deliver(card(2), true)).resolves.toMatchObject({ kind: 'delivered', location: { messageId: ts } });
    await expect(deliverer.deliver(line(2, 'incident.ack.v2', 2), true)).resolves.toMatchObject({ kind: 'delivered' });
    expect(String(shownIn(ts).text).split(record(2))).toHaveLength(2);
    expect(String(shownIn(updates.ts as string).text).split(record(2))).toHaveLength(2);
    for (let n = 1; n <= 4; n++) expect(cardsOf(n)).toEqual([]);
    expect(slack.api.limitedCalls).toEqual([]);
  }, 40_000);

  it('posts a listed ticket its own card at its next change once the channel is quiet, once, and its lines go into that card\'s thread', async () => {
    nowMs += 60_000;
    await expect(inStorm(5)).resolves.toMatchObject([{ kind: 'delivered' }]);
    // Still backed up: the change waits (its line is listed meanwhile), taking no turn; no card yet.
    await expect(deliverer.deliver(card(5, 2))).resolves.toMatchObject({ kind: 'retry', waiting: true });
    expect(cardsOf(5)).toEqual([]);

    // A minute later the channel is quiet: two deliveries of the next change race (two processes'
    // notifications of it; one notification is never attempted twice at once), one card is posted.
    nowMs += 60_000;
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the stand-in's own pace, in real time
    const twin = { ...card(5, 3), _id: `${record(5)}:card.v3.twin:card:slack` };
    const outcomes = await Promise.all([deliverer.deliver(card(5, 3)), deliverer.deliver(twin)]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['delivered', 'retry']);
    expect(cardsOf(5)).toHaveLength(1);
    const location = await database.models.CardLocation.findById(`${record(5)}:slack`).lean();
    expect(location).toMatchObject({ messageId: cardsOf(5)[0]!.ts, version: 3 });
    expect(location?.foldedInto).toBeUndefined();

    // Its lines now go into its card's thread.
    await expect(deliverer.deliver(line(5, 'incident.resolve.v4'))).resolves.toMatchObject({ kind: 'delivered' });
    const inThread = slack.api.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === cardsOf(5)[0]!.ts);
    expect(inThread.map((c) => c.args.text)).toEqual(['Jamie did incident.resolve.v4.']);
    expect(slack.api.limitedCalls).toEqual([]);
  }, 40_000);

  it("with its channel's check, a listed ticket's change while the channel is busy is noted for it and waits long, rather than trying again every few seconds", async () => {
    const quiet = new QuietChannels({
      logs: new SlotLogs(database.models.QuietWait, () => new Date(nowMs)),
      wheel: slack.app.jobs.wheel,
      pacer: new Pacer(database.models, () => nowMs),
      coalesceAfterMs: 1_500,
      wake: async () => true,
      now: () => new Date(nowMs),
    });
    const noting = slackDeliverer(slack, { client, pacer: new Pacer(database.models, () => nowMs), coalesceAfterMs: 1_500, quiet });
    nowMs += 60_000;
    await expect(inStorm(7)).resolves.toMatchObject([{ kind: 'delivered' }]);
    await expect(noting.deliver(card(7, 2))).resolves.toMatchObject({ kind: 'retry', afterMs: QUIET_FALLBACK_MS, waiting: true });
    expect((await database.models.QuietWait.find({ body: card(7, 2)._id }).lean()).map((entry) => entry._id)).toEqual([expect.stringMatching(/^quiet:[^:]+:C0SERVICEDESK:/)]);
    expect(cardsOf(7)).toEqual([]);
  }, 40_000);

  it('a change that took over a listed card and failed to post it posts it when tried again, rather than taking the listing for its own', async () => {
    nowMs += 60_000;
    await expect(inStorm(6)).resolves.toMatchObject([{ kind: 'delivered' }]);
    nowMs += 60_000;
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the stand-in's own pace, in real time
    slack.api.override = (call) => (call.method === 'chat.postMessage' && eventTypeOf(call.args) === 'opsdesk_card' ? { status: 500, body: { ok: false, error: 'internal_error' } } : undefined);
    try {
      await expect(deliverer.deliver(card(6, 2))).resolves.toMatchObject({ kind: 'retry' });
    } finally {
      slack.api.override = undefined;
    }
    await expect(deliverer.deliver(card(6, 2), true)).resolves.toMatchObject({ kind: 'delivered' });
    expect(cardsOf(6)).toHaveLength(2); // the refused one and the one posted
    expect(await database.models.CardLocation.findById(`${record(6)}:slack`).lean()).toMatchObject({ messageId: cardsOf(6)[1]!.ts, version: 2 });
  }, 40_000);
});
