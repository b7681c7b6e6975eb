import type { Database } from '../../../src/db/connect';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import { TestClock } from '../../support/factories';
import { slackFixture } from '../../support/slack/fixtures';
import { buttonClick } from '../../support/slack/payloads';
import { interactionBody, postToSlackEndpoint } from '../../support/slack/signed-request';
import { SLACK_USERS, eventually, startSlackHarness, type SlackHarness } from '../../support/slack/slack-harness';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

/**
 * What a request's own work calls on Slack (describing a newcomer, publishing a home, refusing a
 * click, answering a mention) stays within Slack's published limits however many arrive at once,
 * which the recording API enforces (429 beyond them).
 */
describe('Slack: the work of many requests at once stays within Slack limits (real HTTP, real database)', () => {
  let database: Database;
  let slack: SlackHarness;

  beforeAll(async () => {
    database = await openTestDatabase('slack_within_limits');
    slack = await startSlackHarness(database, new TestClock(new Date('2026-11-23T01:00:00Z')));
  });
  afterAll(async () => {
    await slack.close();
    await dropTestDatabase(database);
  });

  const homeOpened = (user: string, n: number) => {
    const event = slackFixture('event_app_home_opened.json');
    event.event.user = user;
    event.event_id = `Ev-LIMITS-HOME-${user}-${n}`;
    return postToSlackEndpoint(slack.url, { body: JSON.stringify(event), contentType: 'application/json' });
  };

  it('one person opening their home again and again gets only their latest home published, without a 429', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, (_, n) => homeOpened(SLACK_USERS.alex.id, n)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    await slack.idle(60_000);
    const published = slack.api.callsOf('views.publish').filter((c) => c.args.user_id === SLACK_USERS.alex.id);
    expect(published.length).toBeGreaterThanOrEqual(1);
    // At most one waits for a turn per person: the opens that came meanwhile are drawn by it.
    expect(published.length).toBeLessThan(15);
    expect(slack.api.limitedCalls).toEqual([]);
  });

  it('70 newcomers opening their home at once are each described once and shown their home, within users.info and views.publish limits', async () => {
    const newcomers = Array.from({ length: 70 }, (_, i) => `U0NEW${String(i).padStart(4, '0')}`);
    for (const [i, id] of newcomers.entries()) slack.api.users.set(id, { id, name: `Newcomer ${i}`, email: `newcomer${i}@example.com`, tz: 'Asia/Seoul', locale: 'en-US' });
    const answers = await Promise.all(newcomers.map((user) => homeOpened(user, 0)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    await slack.idle(120_000);
    expect(slack.api.limitedCalls.map((c) => c.method)).toEqual([]);
    // More than Slack takes in a burst: they waited their turns, and each is the person their e-mail names.
    expect(slack.api.callsOf('users.info').filter((c) => newcomers.includes(String(c.args.user))).length).toBe(70);
    const people = await Promise.all(newcomers.map((_, i) => database.models.Person.findById(`email:newcomer${i}@example.com`).lean()));
    expect(people.filter((p) => p === null)).toEqual([]);
    const published = new Set(slack.api.callsOf('views.publish').map((c) => String(c.args.user_id)));
    expect(newcomers.filter((u) => !published.has(u))).toEqual([]);
    expect(slack.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
  }, 180_000);

  it('refusals of many clicks at once go back through each click\'s response URL, not chat.postEphemeral', async () => {
    const before = slack.api.callsOf('chat.postEphemeral').length;
    const clicks = Array.from({ length: 40 }, (_, i) => {
      const click = buttonClick(INCIDENT_IDS.ack, 'INC0999999', SLACK_USERS.sam.id);
      click.response_url = slack.api.responseUrl(`refusal.${i}`);
      return postToSlackEndpoint(slack.url, { body: interactionBody(click), contentType: 'application/x-www-form-urlencoded' });
    });
    expect((await Promise.all(clicks)).every((a) => a.status === 200)).toBe(true);
    await slack.idle(60_000);
    await eventually(() => slack.api.callsOf('response_url').filter((c) => c.responseId?.startsWith('refusal.')).length === 40, 10_000);
    expect(slack.api.callsOf('chat.postEphemeral').length).toBe(before);
    expect(slack.api.limitedCalls).toEqual([]);
  });
});
