import type { App } from '../../../src/app';
import type { Database } from '../../../src/db/connect';
import type { NotificationDoc } from '../../../src/models/notification.model';
import type { CardView } from '../../../src/views/view-model';
import { TeamsConversations } from '../../../src/services/teams-conversations';
import { TeamsApiError, referenceFromActivity, retryAfterToMs, teamsApiErrorOf, type TeamsConnector, type TeamsConversationReference } from '../../../adapters/teams/teams-connector';
import { CONVERSATION_INTERVAL_MS, conversationPace } from '../../../adapters/teams/teams-limits';
import { Pacer } from '../../../src/services/pacing';
import { TeamsNotificationDeliverer } from '../../../adapters/teams/teams-notification-deliverer';
import { JAMIE, MINJI, TestClock, buildActor, buildApp, buildConfig, cardOf, reportInput, run } from '../../support/factories';
import { runClockUntil } from '../../support/job-clock';
import { commandsDuring, dropTestDatabase, openTestDatabase } from '../../support/test-database';

const TENANT = 'tenant-1';
const DESK = '19:service-desk@thread.tacv2';
const MINJI_CHAT = 'a:1minji-personal-chat';
const ROBIN_CHAT = 'a:1robin-personal-chat';
const MINJI_ID = `email:${MINJI}`;
const SAM_ID = 'email:sam.lee@example.com';
const ROBIN_ID = 'email:robin.han@example.com';

const reference = (conversationId: string, extra: Partial<TeamsConversationReference> = {}): TeamsConversationReference => ({
  serviceUrl: 'https://smba.example.test/apac/',
  conversationId,
  tenantId: TENANT,
  botId: '28:opsdesk-app',
  ...extra,
});

interface ConnectorCall {
  op: 'send' | 'update';
  conversationId: string;
  activityId?: string;
  activity: { type?: string; text?: string; attachments?: { content: { title: string; text?: string; version?: number } }[] };
  at: number;
  refused?: boolean;
}

/** The Bot Connector as the deliverer sees it: records every call (refused ones too) and answers with activity ids. */
class RecordingConnector implements TeamsConnector {
  readonly calls: ConnectorCall[] = [];
  /** Refuses a call by throwing what it returns. */
  refuse?: (call: ConnectorCall) => Error | undefined;
  private next = 1;

  async send(reference: TeamsConversationReference, activity: object): Promise<{ id: string }> {
    this.answer({ op: 'send', conversationId: reference.conversationId, activity: activity as ConnectorCall['activity'], at: Date.now() });
    return { id: `1700000000${String(this.next++).padStart(3, '0')}` };
  }

  async update(reference: TeamsConversationReference, activityId: string, activity: object): Promise<void> {
    this.answer({ op: 'update', conversationId: reference.conversationId, activityId, activity: activity as ConnectorCall['activity'], at: Date.now() });
  }

  private answer(call: ConnectorCall): void {
    const refusal = this.refuse?.(call);
    this.calls.push(refusal ? { ...call, refused: true } : call);
    if (refusal) throw refusal;
  }

  delivered(conversationId: string, op: ConnectorCall['op'] = 'send'): ConnectorCall[] {
    return this.calls.filter((c) => c.op === op && c.conversationId === conversationId && !c.refused);
  }
}

/** Stands in for the Teams renderer's `renderCardActivity`: what it draws is enough to recognise the card. */
const draw = (view: CardView) => ({
  type: 'message',
  attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { title: view.title, ...(view.text ? { text: view.text } : {}), ...(view.version !== undefined ? { version: view.version } : {}) } }],
});

const cardText = (call: ConnectorCall) => call.activity.attachments?.[0]?.content.text ?? '';

describe('Teams notifications (the outbox through stored conversation references)', () => {
  let database: Database;
  let clock: TestClock;
  let app: App;
  let connector: RecordingConnector;
  let deliverer: TeamsNotificationDeliverer;

  beforeEach(async () => {
    database = await openTestDatabase('teams_notify', { monitorCommands: true });
    clock = new TestClock(new Date('2026-11-23T01:00:00Z')); // Monday 10:00 Seoul; Minji is on call that week
    const config = buildConfig((input) => {
      const desk = (input.groups ?? []).find((g) => g.key === 'service-desk');
      if (desk) desk.channels = { slack: 'C0SERVICEDESK', teams: DESK };
    });
    app = await buildApp(database, clock, config);
    connector = new RecordingConnector();
    deliverer = new TeamsNotificationDeliverer({
      catalog: app.ctx.catalog,
      conversations: app.teams.conversations,
      cards: app.cards,
      pacer: app.outbox.pacer,
      connector,
      draw,
      stopping: app.jobs.notifier.stopping,
      log: app.log,
    });
    app.jobs.notifier.register(deliverer);
    // What the bot stored when Minji and Robin opened a chat with it, and when it was added to the desk's team.
    await app.teams.conversations.remember({ personId: MINJI_ID }, reference(MINJI_CHAT, { userId: '29:minji' }));
    await app.teams.conversations.remember({ personId: ROBIN_ID }, reference(ROBIN_CHAT, { userId: '29:robin' }));
    await app.teams.conversations.remember({ channelId: DESK }, reference(`${DESK};messageid=1699999999999`, { teamId: '19:team@thread.tacv2' }));
  });
  afterEach(async () => {
    await app.jobs.notifier.stop(1_000);
    await dropTestDatabase(database);
  });

  async function report(): Promise<{ number: string; announcements: Awaited<ReturnType<typeof run>>['announcements'] }> {
    const result = await run(app, 'incident.report', await buildActor(app, JAMIE), reportInput({ impact: 'high', urgency: 'medium' })); // P2: respond in 30 min
    return { number: cardOf(result).recordId as string, announcements: result.announcements };
  }

  it('an SLA warning stored in the outbox reaches a person through their stored personal chat; one who never opened a chat fails, saying so', async () => {
    const { number } = await report();
    await runClockUntil(app, clock, '2026-11-23T01:16:00Z'); // 50 % of the 30-minute response target
    const warning = `${number}:sla.response.50`;
    expect(await app.jobs.notifier.status(`${warning}:${MINJI_ID}:teams`)).toEqual({ state: 'delivered', attempts: 1, location: { channel: MINJI_CHAT, messageId: expect.any(String) } });
    // Minji reads Korean: the warning drawn as her card, in her language.
    const toMinji = connector.delivered(MINJI_CHAT).filter((c) => cardText(c).startsWith(`${number}:`) && cardText(c).includes('50%'));
    expect(toMinji).toHaveLength(1);
    expect(cardText(toMinji[0]!)).toContain('목표 시간의 50%가 지났습니다');
    expect(toMinji[0]!.activity.attachments![0]!.content.title).toContain(number);

    // Sam is in the group too, but never talked to the bot: nothing to send to, and the reason is kept.
    const sam = await app.jobs.notifier.status(`${warning}:${SAM_ID}:teams`);
    expect(sam.state).toBe('failed');
    expect(sam.lastError).toMatch(/never opened a chat with the opsdesk bot/);
  });

  it("a channel card is posted once, then edited in place; an older version arriving late is not drawn over the newer", async () => {
    const { number, announcements } = await report();
    await app.jobs.notifier.announce(announcements);
    await app.jobs.notifier.idle();
    const posted = connector.delivered(DESK);
    expect(posted).toHaveLength(1);
    const first = posted[0]!.activity.attachments![0]!.content;
    expect(first.title).toContain(number);
    const cardId = (await app.jobs.notifier.status(`${number}:card.v${first.version}:card:teams`)).location?.messageId;
    expect(cardId).toBeDefined();

    const acked = await run(app, 'incident.ack', await buildActor(app, MINJI), { recordId: number });
    const newer = cardOf(acked);
    expect(newer.version).toBeGreaterThan(first.version!);
    await app.jobs.notifier.announce(acked.announcements);
    await app.jobs.notifier.idle();
    expect(connector.delivered(DESK)).toHaveLength(1); // no second card
    const edits = connector.delivered(DESK, 'update');
    expect(edits).toHaveLength(1);
    expect(edits[0]!.activityId).toBe(cardId);
    expect(edits[0]!.activity.attachments![0]!.content.version).toBe(newer.version);

    // The first version's card, delivered late (another process, a retry): the newer one stays.
    await app.jobs.notifier.notify(
      { recordId: number, reason: 'card.late', audience: { kind: 'card', service: 'vpn' }, view: { kind: 'card', title: first.title, fields: [], actions: [], recordId: number, version: first.version! } },
      { deliverNow: true },
    );
    expect(connector.delivered(DESK, 'update')).toHaveLength(1);
    expect(await app.jobs.notifier.status(`${number}:card.late:card:teams`)).toMatchObject({ state: 'delivered', location: { channel: DESK, messageId: cardId } });
    expect(await app.cards.find(number, 'teams')).toMatchObject({ channel: DESK, messageId: cardId, version: newer.version });
  });

  it('a card whose first post was claimed by a delivery that died before posting it is posted once, by the next delivery', async () => {
    const { number, announcements } = await report();
    // What a process killed after claiming the first post, before Teams took it, leaves.
    await database.models.CardLocation.collection.insertOne({ _id: `${number}:teams`, recordId: number, platform: 'teams', channel: DESK, claimedBy: 'dead-delivery', claimedAt: new Date(Date.now() - 10 * 60_000), at: new Date(Date.now() - 10 * 60_000) } as never);
    await app.jobs.notifier.announce(announcements);
    await app.jobs.notifier.idle();
    const posted = connector.delivered(DESK);
    expect(posted).toHaveLength(1);
    expect(await app.cards.find(number, 'teams')).toMatchObject({ channel: DESK, messageId: expect.any(String) });
    // Another delivery racing for the same dead claim loses it: the taking over is for one only.
    expect(await app.cards.takeOverFirstPost(number, 'teams', 'dead-delivery', 'another-delivery')).toBe(false);
    expect(await database.models.CardLocation.countDocuments({ recordId: number })).toBe(1);
  });

  it('a thread line waits for its card, then is posted as a reply under it', async () => {
    const { number, announcements } = await report();
    const line: NotificationDoc = {
      _id: `${number}:line.early:thread:teams`, recordId: number, reason: 'line.early', platform: 'teams',
      audience: { kind: 'thread', service: 'vpn', afterCard: true },
      view: { kind: 'card', title: number, fields: [], actions: [], text: 'Jamie Song reported it' }, createdAt: clock.now(),
    };
    // No card yet: nothing is posted, the line comes back soon.
    expect(await deliverer.deliver(line)).toEqual({ kind: 'retry', afterMs: 3_000, waiting: true, error: 'the card of this line is not posted yet' });
    expect(connector.calls).toEqual([]);

    await app.jobs.notifier.announce(announcements); // the report's card and its thread line
    await app.jobs.notifier.idle();
    const [card] = connector.delivered(DESK);
    const cardId = (await app.cards.postedAt(number, 'teams'))?.messageId;
    expect(card).toBeDefined();
    const thread = `${DESK};messageid=${cardId}`;
    const replies = connector.delivered(thread);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.activity).toEqual({ type: 'message', text: 'Jamie Song reported the incident.', textFormat: 'plain' }); // a line, not a card
    expect(connector.calls.indexOf(replies[0]!)).toBeGreaterThan(connector.calls.indexOf(card!));

    // The early line, tried again: now under the card too.
    expect(await deliverer.deliver(line, true)).toMatchObject({ kind: 'delivered', location: { channel: DESK } });
    expect(connector.delivered(thread).map((c) => c.activity.text)).toEqual([replies[0]!.activity.text, 'Jamie Song reported it']);
  });

  it('a 429 with Retry-After is tried again after it (not before), by the notifier, and delivered once', async () => {
    let refused = 0;
    connector.refuse = (call) => {
      if (call.conversationId !== MINJI_CHAT || refused > 0) return undefined;
      refused += 1;
      return new TeamsApiError(429, 'Too Many Requests', 60_000);
    };
    const request = {
      recordId: 'CHG0001001', reason: 'approval.requested', audience: { kind: 'person' as const, personId: MINJI_ID },
      view: { kind: 'card' as const, title: 'CHG0001001 needs your approval', fields: [], actions: [] },
    };
    await app.jobs.notifier.notify(request);
    await app.jobs.notifier.idle();
    const id = `CHG0001001:approval.requested:${MINJI_ID}:teams`;
    expect(refused).toBe(1);
    expect(await app.jobs.notifier.status(id)).toEqual({ state: 'pending', attempts: 1, lastError: 'HTTP 429: Too Many Requests' });
    const refusal = await database.models.NotificationAttempt.findById(`${id}#1!`).lean();
    expect(refusal!.retryAt!.getTime() - refusal!.at.getTime()).toBeGreaterThanOrEqual(60_000);

    await runClockUntil(app, clock, '2026-11-23T01:00:30Z', 0.25);
    expect(connector.delivered(MINJI_CHAT).filter((c) => c.activity.attachments?.[0]?.content.title === request.view.title)).toHaveLength(0);
    await runClockUntil(app, clock, '2026-11-23T01:03:00Z', 0.25);
    expect(connector.delivered(MINJI_CHAT).filter((c) => c.activity.attachments?.[0]?.content.title === request.view.title)).toHaveLength(1);
    expect(await app.jobs.notifier.status(id)).toMatchObject({ state: 'delivered', attempts: 2 });
  });

  it("a card's edits waiting for the conversation's turn far off take one turn, at which the newest is drawn", async () => {
    let nowMs = Date.now();
    const pacer = new Pacer(database.models, () => nowMs);
    const at = new TeamsNotificationDeliverer({ catalog: app.ctx.catalog, conversations: app.teams.conversations, cards: app.cards, pacer, connector, draw, log: app.log });
    await app.cards.remember('INC0009001', 'teams', DESK, '1700000000777', 1);
    // The desk's conversation is taken for the next minute.
    const pace = conversationPace(TENANT, DESK);
    for (let i = 0; i < Math.ceil(60_000 / pace.intervalMs) + pace.burst; i++) await pacer.take(pace);
    const edit = (version: number): NotificationDoc => ({
      _id: `INC0009001:card.v${version}:card:teams`,
      recordId: 'INC0009001',
      reason: `card.v${version}`,
      platform: 'teams',
      audience: { kind: 'card', service: 'vpn' },
      view: { kind: 'card', title: 'INC0009001 VPN drops', fields: [], actions: [], recordId: 'INC0009001', version },
      createdAt: new Date(nowMs),
    });
    const waiting = [await at.deliver(edit(2)), await at.deliver(edit(3))];
    expect(waiting.map((o) => o.kind)).toEqual(['retry', 'retry']);
    const [first, second] = waiting.map((o) => (o.kind === 'retry' ? o.afterMs : NaN));
    expect(first).toBeGreaterThan(30_000);
    expect(second).toBe(first); // the same turn, not the one after it

    nowMs += first! + 15_000;
    expect(await at.deliver(edit(2), true)).toMatchObject({ kind: 'delivered' });
    expect(connector.delivered(DESK, 'update')).toEqual([]);
    expect(await at.deliver(edit(3), true)).toMatchObject({ kind: 'delivered', location: { channel: DESK, messageId: '1700000000777' } });
    const updates = connector.delivered(DESK, 'update');
    expect(updates.map((u) => u.activity.attachments![0]!.content.version)).toEqual([3]);
    expect(await app.cards.find('INC0009001', 'teams')).toMatchObject({ version: 3 });
  });

  it('messages to one conversation take its turns (a few at once, then one per interval); another conversation is not held up', async () => {
    const view = (n: number) => ({ kind: 'card' as const, title: `Approval ${n}`, fields: [], actions: [] });
    const toMinji = [1, 2, 3, 4, 5, 6].map((n) => ({ recordId: `REQ000100${n}`, reason: 'approval.requested', audience: { kind: 'person' as const, personId: MINJI_ID }, view: view(n) }));
    const toRobin = { recordId: 'REQ0001009', reason: 'approval.requested', audience: { kind: 'person' as const, personId: ROBIN_ID }, view: view(9) };
    const started = Date.now();
    await app.jobs.notifier.notifyAll([...toMinji, toRobin]);
    await app.jobs.notifier.idle();

    const minji = connector.delivered(MINJI_CHAT).map((c) => c.at);
    expect(minji).toHaveLength(6);
    // The burst goes at once; each message after it waits for its turn: any five span more than an interval.
    for (let i = 0; i + 4 < minji.length; i++) expect(minji[i + 4]! - minji[i]!).toBeGreaterThanOrEqual(CONVERSATION_INTERVAL_MS - 50);
    expect(minji[5]! - minji[0]!).toBeGreaterThanOrEqual(2 * CONVERSATION_INTERVAL_MS - 50);
    // Within Teams' per-conversation limits: 7 in a second, 8 in two.
    for (let i = 0; i < minji.length; i++) expect(minji.filter((t) => t >= minji[i]! && t < minji[i]! + 2_000).length).toBeLessThanOrEqual(7);
    // Robin's chat has turns of its own.
    const [robin] = connector.delivered(ROBIN_CHAT);
    expect(robin!.at - started).toBeLessThan(CONVERSATION_INTERVAL_MS);
    for (const r of [...toMinji, toRobin]) expect((await app.jobs.notifier.status(`${r.recordId}:approval.requested:${r.audience.personId}:teams`)).state).toBe('delivered');
  }, 30_000);

  it('tells refusals apart: 403/404 fail for good, 412/502/504 and the network are tried again with back-off, 429 after its Retry-After', async () => {
    const doc: NotificationDoc = {
      _id: 'INC0000001:sla.response.50:email:minji.kim@example.com:teams', recordId: 'INC0000001', reason: 'sla.response.50', platform: 'teams',
      audience: { kind: 'person', personId: MINJI_ID }, view: { kind: 'card', title: 'INC0000001', fields: [], actions: [] }, createdAt: clock.now(),
    };
    const answer = async (error: Error) => {
      connector.refuse = () => error;
      return deliverer.deliver(doc);
    };
    expect(await answer(new TeamsApiError(403, 'Forbidden'))).toEqual({ kind: 'failed', error: 'HTTP 403: Forbidden' });
    expect(await answer(new TeamsApiError(404, 'Not Found'))).toEqual({ kind: 'failed', error: 'HTTP 404: Not Found' });
    for (const status of [412, 502, 504]) expect(await answer(new TeamsApiError(status, 'try again'))).toEqual({ kind: 'retry', error: `HTTP ${status}: try again` });
    expect(await answer(new Error('socket hang up'))).toEqual({ kind: 'retry', error: 'socket hang up' });
    const limited = await answer(new TeamsApiError(429, 'Too Many Requests', 5_000));
    expect(limited).toMatchObject({ kind: 'retry', error: 'HTTP 429: Too Many Requests' });
    expect((limited as { afterMs: number }).afterMs).toBeGreaterThanOrEqual(5_000);
    expect((limited as { afterMs: number }).afterMs).toBeLessThanOrEqual(5_500);
    // A person-less reply is answered in the turn: nothing to send.
    connector.refuse = undefined;
    const before = connector.calls.length;
    expect(await deliverer.deliver({ ...doc, _id: 'request:reply.x:reply:teams', audience: { kind: 'reply', platform: 'teams', user: 'u' } })).toEqual({ kind: 'delivered' });
    expect(connector.calls).toHaveLength(before);
  }, 30_000);

  it('conversation references are stored and read by _id alone, written only when they change', async () => {
    const conversations = new TeamsConversations(database.models.TeamsConversation); // nothing read yet in this process
    expect(await conversations.channel(DESK)).toEqual(reference(DESK, { teamId: '19:team@thread.tacv2' })); // the thread's ;messageid= dropped
    expect(await conversations.person(SAM_ID)).toBeUndefined();
    const seen = await commandsDuring(database, async () => {
      await conversations.remember({ personId: MINJI_ID }, reference(MINJI_CHAT, { userId: '29:minji' })); // unchanged
      await conversations.remember({ personId: SAM_ID }, reference('a:1sam-personal-chat'));
      await conversations.person(SAM_ID);
    });
    expect(seen.filter((c) => c.name === 'update')).toHaveLength(1);
    expect(seen.filter((c) => c.name === 'find')).toHaveLength(1); // Minji's, compared; Sam's was read as missing above
    for (const command of seen) expect(command.filter).toEqual({ _id: expect.stringMatching(/^teams:(person|channel):/) });
    expect(await database.models.TeamsConversation.findById(`teams:person:${SAM_ID}`).lean()).toMatchObject({ conversationId: 'a:1sam-personal-chat', tenantId: TENANT });
  });

  it("the bot's helpers: a reference from an incoming activity, and botbuilder's refusal as a TeamsApiError", () => {
    const inChannel = referenceFromActivity({
      serviceUrl: 'https://smba.example.test/apac/',
      conversation: { id: `${DESK};messageid=1699999999999`, conversationType: 'channel', tenantId: TENANT },
      recipient: { id: '28:opsdesk-app' },
      from: { id: '29:minji' },
      channelData: { tenant: { id: TENANT }, team: { id: '19:team@thread.tacv2' }, channel: { id: DESK } },
    });
    expect(inChannel).toEqual({ channelId: DESK, reference: reference(DESK, { teamId: '19:team@thread.tacv2' }) });
    const personal = referenceFromActivity({
      serviceUrl: 'https://smba.example.test/apac/',
      conversation: { id: MINJI_CHAT, conversationType: 'personal', tenantId: TENANT },
      recipient: { id: '28:opsdesk-app' },
      from: { id: '29:minji' },
    });
    expect(personal).toEqual({ reference: reference(MINJI_CHAT, { userId: '29:minji' }) });
    expect(referenceFromActivity({ conversation: { id: MINJI_CHAT } })).toBeUndefined();

    const restError = Object.assign(new Error('Too Many Requests'), { statusCode: 429, response: { headers: new Map([['retry-after', '7']]) } });
    expect(teamsApiErrorOf(restError)).toEqual(new TeamsApiError(429, 'Too Many Requests', 7_000));
    expect((teamsApiErrorOf(restError) as TeamsApiError).retryAfterMs).toBe(7_000);
    const network = new Error('ECONNRESET');
    expect(teamsApiErrorOf(network)).toBe(network);
    expect(retryAfterToMs('Mon, 23 Nov 2026 01:00:30 GMT', Date.parse('2026-11-23T01:00:00Z'))).toBe(30_000);
  });
});
