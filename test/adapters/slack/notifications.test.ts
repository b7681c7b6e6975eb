import type { Database } from '../../../src/db/connect';
import { SlackNotificationDeliverer } from '../../../adapters/slack/notification-deliverer';
import { CardLocations } from '../../../src/services/card-locations';
import { JAMIE, TestClock, buildActor, cardOf, reportInput, run } from '../../support/factories';
import { runClockUntil } from '../../support/job-clock';
import { eventually, startSlackHarness, type SlackHarness } from '../../support/slack/slack-harness';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';
import { slashCommandBody } from '../../support/slack/fixtures';
import { postToSlackEndpoint } from '../../support/slack/signed-request';
import { WebClient } from '@slack/web-api';

const FORM = 'application/x-www-form-urlencoded' as const;

describe('Slack notifications (the notifier over the recording Web API)', () => {
  let database: Database;
  let slack: SlackHarness;
  let clock: TestClock;

  beforeEach(async () => {
    database = await openTestDatabase('slack_notify');
    clock = new TestClock(new Date('2026-11-23T01:00:00Z')); // Monday 10:00 Seoul; Minji is on call that week
    slack = await startSlackHarness(database, clock);
  });
  afterEach(async () => {
    await slack.close();
    await dropTestDatabase(database);
  });

  async function reportP2(): Promise<string> {
    const card = cardOf(await run(slack.app, 'incident.report', await buildActor(slack.app, JAMIE), reportInput({ impact: 'high', urgency: 'medium' })));
    return card.recordId as string;
  }
  const pagesToMinji = () => slack.api.callsOf('chat.postMessage').filter((c) => c.channel === 'DU0MINJI' || c.args.channel === 'U0MINJI');

  it('a page refused with 429 goes out after Retry-After, once, as a DM card with Acknowledge and "I can\'t take it"', async () => {
    let refused = 0;
    slack.api.override = (call) => {
      if (call.method === 'chat.postMessage' && refused === 0) {
        refused += 1;
        return { status: 429, headers: { 'retry-after': '60' }, body: { ok: false, error: 'ratelimited' } };
      }
      return undefined;
    };
    const number = await reportP2();
    await runClockUntil(slack.app, clock, '2026-11-23T01:01:00Z');
    expect(refused).toBe(1);
    expect(pagesToMinji().filter((c) => c.ts)).toHaveLength(0);
    const waiting = await database.models.Notification.findOne({ reason: 'escalation.0' }).lean();
    expect(await slack.app.jobs.notifier.status(waiting!._id)).toEqual({ state: 'pending', attempts: 1, lastError: 'rate limited' });

    await runClockUntil(slack.app, clock, '2026-11-23T01:02:30Z');
    const delivered = pagesToMinji().filter((c) => c.ts);
    expect(delivered).toHaveLength(1);
    const blocks = JSON.stringify(delivered[0]!.args.blocks);
    expect(blocks).toContain('incident.ack');
    expect(blocks).toContain('incident.decline_page');
    expect(delivered[0]!.args.metadata).toEqual({ event_type: 'opsdesk_notification', event_payload: { notification_id: `${number}:escalation.0:email:minji.kim@example.com:slack` } });
    await runClockUntil(slack.app, clock, '2026-11-23T01:10:00Z', 2);
    expect(pagesToMinji().filter((c) => c.ts)).toHaveLength(1);
  });

  it('an SLA warning goes into the thread of the incident card', async () => {
    const number = await reportP2();
    await new CardLocations(database.models).remember(number, 'slack', 'C0SERVICEDESK', '1699999999.000100');
    await runClockUntil(slack.app, clock, '2026-11-23T01:16:00Z'); // 50 % of the 30-minute response target
    const lines = slack.api.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === '1699999999.000100');
    expect(lines.map((c) => c.args.text)).toEqual([`${number}: 50% of the response time has passed; due Mon 23 Nov 2026, 10:30 GMT+9.`]);
  });

  it('an attempt whose process died after Slack posted it is found in the history and not posted again', async () => {
    const number = await reportP2();
    await runClockUntil(slack.app, clock, '2026-11-23T01:00:20Z', 0.1);
    const page = await database.models.Notification.findOne({ reason: 'escalation.0' }).lean();
    expect((await slack.app.jobs.notifier.status(page!._id)).state).toBe('delivered');
    expect(pagesToMinji()).toHaveLength(1);
    // Slack has the page; make our record say what a process killed mid-call leaves behind:
    // attempt 1 claimed, its outcome never written, attempt 2 due once the lease is over.
    await database.models.NotificationAttempt.deleteMany({ _id: { $in: [`${page!._id}#1!`, `${page!._id}#final`] } });
    expect((await slack.app.jobs.notifier.status(page!._id)).state).toBe('pending');
    await slack.app.jobs.wheel.schedule('deliver', `${page!._id}#2`, clock.now());
    const before = pagesToMinji().length;
    await runClockUntil(slack.app, clock, '2026-11-23T01:01:00Z');
    expect(pagesToMinji()).toHaveLength(before);
    expect(slack.api.callsOf('conversations.history').length).toBeGreaterThan(0);
    expect((await slack.app.jobs.notifier.status(page!._id)).state).toBe('delivered');
  });

  it('pages faster than a message a second: each turn\'s new message lists the pages that waited for it, none edited in, none lost; a retried one is found in it', async () => {
    // Six incidents in a moment, each paging Minji (on call): more than her DM takes at a time.
    const numbers: string[] = [];
    for (let i = 0; i < 6; i++) numbers.push(await reportP2());
    await runClockUntil(slack.app, clock, '2026-11-23T01:01:00Z', 0.25);
    const posts = pagesToMinji().filter((c) => c.ts);
    const carried = (c: (typeof posts)[number]) => {
      const payload = (c.args.metadata as { event_payload: { notification_id?: string; notification_ids?: string } }).event_payload;
      return payload.notification_id ? [payload.notification_id] : (payload.notification_ids ?? '').split(' ');
    };
    const paged = posts.flatMap(carried).map((id) => id.split(':')[0]);
    expect([...paged].sort()).toEqual([...numbers].sort()); // each page once
    expect(posts.length).toBeLessThan(numbers.length);
    const listing = posts.find((c) => carried(c).length > 1)!;
    expect(String(listing.args.text)).toMatch(/^\d incidents are paging you/);
    // Each listed page with its own Acknowledge.
    const buttons = JSON.stringify(listing.args.blocks).match(/"action_id":"incident\.ack/g) ?? [];
    expect(buttons).toHaveLength(carried(listing).length);
    // No page reached her by an edit, which would not notify her.
    expect(slack.api.callsOf('chat.update').filter((c) => String(c.args.channel).includes('U0MINJI'))).toEqual([]);

    // A page of that message whose process died before recording it: found there, not posted again.
    const [id] = carried(listing) as [string];
    await database.models.NotificationAttempt.deleteMany({ _id: { $in: [`${id}#1!`, `${id}#final`] } });
    await slack.app.jobs.wheel.schedule('deliver', `${id}#2`, clock.now());
    const before = pagesToMinji().length;
    await runClockUntil(slack.app, clock, '2026-11-23T01:02:00Z');
    expect(pagesToMinji()).toHaveLength(before);
    expect((await slack.app.jobs.notifier.status(id)).state).toBe('delivered');
  });

  it('/oncall answers who is on call through the response_url', async () => {
    const responded = await postToSlackEndpoint(slack.url, { body: slashCommandBody('/oncall', 'service-desk', { response_url: slack.api.responseUrl('oncall') }), contentType: FORM });
    expect(responded.status).toBe(200);
    await eventually(() => slack.api.callsOf('response_url').length === 1);
    const answer = slack.api.callsOf('response_url')[0]!.args;
    expect(answer.response_type).toBe('ephemeral');
    expect(JSON.stringify(answer.blocks)).toMatch(/Service Desk.*now Minji Kim/);
  });

  it('tells the deliverer apart: a channel that does not exist is a final failure', async () => {
    slack.api.override = (call) => (call.method === 'chat.postMessage' ? { status: 200, body: { ok: false, error: 'channel_not_found' } } : undefined);
    const deliverer = new SlackNotificationDeliverer({
      catalog: slack.app.ctx.catalog,
      people: slack.app.ctx.people,
      cards: new CardLocations(database.models),
      digests: slack.app.outbox.digests,
      pacer: slack.app.outbox.pacer,
      coalesceAfterMs: 20_000,
      log: slack.app.log,
      client: async () => new WebClient('xoxb-test', { slackApiUrl: slack.api.url, retryConfig: { retries: 0 } }),
    });
    const outcome = await deliverer.deliver({
      _id: 'x', recordId: 'INC0000001', reason: 'major-incident', platform: 'slack', audience: { kind: 'major-incident' },
      view: { kind: 'card', title: 't', fields: [], actions: [] }, createdAt: new Date(),
    });
    expect(outcome).toEqual({ kind: 'failed', error: 'channel_not_found' });
  });
});
