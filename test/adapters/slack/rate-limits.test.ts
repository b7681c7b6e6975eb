import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import { MongoInstallationStore } from '../../../adapters/slack/installation-store';
import { methodPace } from '../../../adapters/slack/slack-limits';
import { SlackInstallations } from '../../../src/services/slack-installations';
import type { Database } from '../../../src/db/connect';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';
import { slackFixture, slashCommandBody } from '../../support/slack/fixtures';
import { SLACK_USERS, eventually, startSlackHarness, type SlackHarness } from '../../support/slack/slack-harness';
import { interactionBody, postToSlackEndpoint } from '../../support/slack/signed-request';

const FORM = 'application/x-www-form-urlencoded' as const;

describe('Slack rate limits and installations', () => {
  let database: Database;
  let slack: SlackHarness;
  beforeAll(async () => {
    database = await openTestDatabase('slack_limits');
    slack = await startSlackHarness(database);
  });
  afterAll(async () => {
    await slack.close();
    await dropTestDatabase(database);
  });

  it('posts a card refused with 429 once Retry-After has passed, exactly once, while other requests are still acknowledged at once', async () => {
    let refused = 0;
    slack.api.override = (call) => {
      if (call.method === 'chat.postMessage' && call.args.channel === 'C0SERVICEDESK' && !call.args.thread_ts && refused === 0) {
        refused++;
        return { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } };
      }
      return undefined;
    };
    const submission = slackFixture('view_submission.json');
    submission.user.id = SLACK_USERS.jamie.id;
    submission.trigger_id = 'limits.trigger';
    submission.view = { ...submission.view, id: 'V-LIMITED', callback_id: INCIDENT_IDS.report, private_metadata: '{}', blocks: [{ type: 'input', block_id: 'summary' }] };
    submission.view.state = {
      values: {
        summary: { summary: { type: 'plain_text_input', value: 'Badge readers offline' } },
        service: { service: { type: 'static_select', selected_option: { value: 'vpn' } } },
        impact: { impact: { type: 'static_select', selected_option: { value: 'low' } } },
        urgency: { urgency: { type: 'static_select', selected_option: { value: 'low' } } },
      },
    };
    const submitted = await postToSlackEndpoint(slack.url, { body: interactionBody(submission), contentType: FORM });
    expect(submitted.status).toBe(200);
    await eventually(() => refused === 1);

    // While the delivery waits out Retry-After, a command is acknowledged and its modal opened at once.
    const command = await postToSlackEndpoint(slack.url, { body: slashCommandBody('/incident', 'Another thing'), contentType: FORM });
    expect(command.status).toBe(200);
    expect(command.ms).toBeLessThan(500);
    await eventually(() => slack.api.callsOf('views.open').length === 1);

    const cardPosts = () => slack.api.callsOf('chat.postMessage').filter((c) => c.args.channel === 'C0SERVICEDESK' && !c.args.thread_ts);
    // The confirmation to the reporter (in their DM: the modal named no channel) goes beside the
    // card, not after it: the card's second try and the confirmation both waited for.
    const confirmed = () => slack.api.callsOf('chat.postMessage').some((c) => c.args.channel === SLACK_USERS.jamie.id && /is open/.test(String(c.args.text)));
    await eventually(() => confirmed() && cardPosts().length >= 2, 5000);
    expect(cardPosts()[1]!.at - cardPosts()[0]!.at).toBeGreaterThanOrEqual(1000);
    // The modal was opened while the card waited out Retry-After, not after it.
    expect(slack.api.callsOf('views.open')[0]!.at).toBeLessThan(cardPosts()[1]!.at);
    expect(cardPosts()).toHaveLength(2); // one refused, one delivered: never dropped, never doubled
    const incident = await database.models.Incident.findOne({ dedupeKey: 'slack:view:V-LIMITED' }).lean();
    expect(await database.models.CardLocation.countDocuments({ recordId: incident?._id })).toBe(1);
    slack.api.override = undefined;
  });

  it.each([
    {
      what: 'refused with 429',
      answer: { status: 429, headers: { 'retry-after': '7' }, body: { ok: false, error: 'ratelimited' } },
      told: "opsdesk has reached Slack's rate limit, so this was not done. Please try again in 7 s.",
    },
    {
      what: 'whose trigger expired before it opened',
      answer: { status: 200, body: { ok: false, error: 'expired_trigger_id' } },
      told: 'opsdesk could not open the form in time (Slack allows 3 seconds). Please try again.',
    },
  ])('a modal $what: the person is told to try again, not that something broke', async ({ what, answer, told }) => {
    slack.api.override = (call) => (call.method === 'views.open' ? answer : undefined);
    try {
      const command = await postToSlackEndpoint(slack.url, { body: slashCommandBody('/incident', 'Printer on fire', { response_url: slack.api.responseUrl(what) }), contentType: FORM });
      expect(command.status).toBe(200);
      const replies = () => slack.api.callsOf('response_url').filter((c) => c.responseId === what);
      await eventually(() => replies().length === 1);
      expect(String(replies()[0]!.args.text)).toBe(told);
    } finally {
      slack.api.override = undefined;
    }
  });

  it("modals take turns within views.open's limit: a burst opens at once, those whose turn comes after their trigger expires are told to try again, and Slack refuses none", async () => {
    const sent = Array.from({ length: 30 }, (_, i) => `burst-${i}`);
    const answers = await Promise.all(
      sent.map((id) => postToSlackEndpoint(slack.url, { body: slashCommandBody('/incident', id, { response_url: slack.api.responseUrl(id), trigger_id: `trigger-${id}` }), contentType: FORM })),
    );
    expect(answers.map((a) => a.status)).toEqual(sent.map(() => 200));
    const opened = () => slack.api.callsOf('views.open').filter((c) => String(c.args.trigger_id).startsWith('trigger-burst-') && !c.limited);
    const toldToRetry = () => slack.api.callsOf('response_url').filter((c) => sent.includes(String(c.responseId)) && /^opsdesk has reached Slack's rate limit/.test(String(c.args.text))).length;
    await eventually(() => opened().length + toldToRetry() === sent.length, 10_000).catch(() => undefined);
    expect({ accountedFor: opened().length + toldToRetry(), refusedBySlack: slack.api.limitedCalls.filter((c) => c.method === 'views.open').length }).toEqual({ accountedFor: sent.length, refusedBySlack: 0 });
    // Thirty at once are more than the burst and the turns within their triggers' life.
    const { burst, intervalMs } = methodPace('any', 'views.open');
    expect(toldToRetry()).toBeGreaterThan(0);
    // However the calls spread over time: no more than the burst and the turns between the first and the last.
    const at = opened().map((c) => c.at);
    expect(at.length).toBeLessThanOrEqual(burst + Math.ceil((Math.max(...at) - Math.min(...at)) / intervalMs) + 1);
  });

  it("an App Home refused with 429 is published once Retry-After has passed; the person is not told of a failure", async () => {
    const user = SLACK_USERS.taylor.id;
    let refused = 0;
    slack.api.override = (call) => {
      if (call.method === 'views.publish' && call.args.user_id === user && refused === 0) {
        refused++;
        return { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } };
      }
      return undefined;
    };
    try {
      const event = slackFixture('event_app_home_opened.json');
      event.event.user = user;
      event.event_id = 'Ev-LIMITS-HOME-429';
      expect((await postToSlackEndpoint(slack.url, { body: JSON.stringify(event), contentType: 'application/json' })).status).toBe(200);
      const published = () => slack.api.callsOf('views.publish').filter((c) => c.args.user_id === user);
      await eventually(() => published().length === 2, 10_000);
      expect(refused).toBe(1);
      expect(published()[1]!.at - published()[0]!.at).toBeGreaterThanOrEqual(1000);
      await slack.idle(10_000);
      expect(slack.api.callsOf('chat.postMessage').filter((c) => c.args.channel === user)).toEqual([]);
      expect(slack.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
    } finally {
      slack.api.override = undefined;
    }
  });

  it('a failure told while the ephemerals and the direct message are at their limit reaches the person once, when Slack allows', async () => {
    const user = SLACK_USERS.alex.id;
    const refused = new Set<string>();
    const refusedCalls = new Set<object>();
    slack.api.override = (call) => {
      if (call.method === 'views.open') return { status: 429, headers: { 'retry-after': '9' }, body: { ok: false, error: 'ratelimited' } };
      // The command's response URL has gone (an hour old, or used up): the other ways remain.
      if (call.method === 'response_url' && call.responseId === 'gone') return { status: 404, body: { ok: false, error: 'expired_url' } };
      const limited = call.method === 'chat.postEphemeral' || (call.method === 'chat.postMessage' && call.args.channel === user);
      if (limited && !refused.has(call.method)) {
        refused.add(call.method);
        refusedCalls.add(call);
        return { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } };
      }
      return undefined;
    };
    try {
      const command = await postToSlackEndpoint(slack.url, { body: slashCommandBody('/incident', 'Scanner jammed', { user_id: user, response_url: slack.api.responseUrl('gone') }), contentType: FORM });
      expect(command.status).toBe(200);
      const told = () =>
        slack.api
          .callsOf('chat.postEphemeral')
          .concat(slack.api.callsOf('chat.postMessage').filter((c) => c.args.channel === user))
          .filter((c) => !refusedCalls.has(c) && /Please try again in 9 s/.test(String(c.args.text)));
      await eventually(() => told().length === 1, 15_000);
      await slack.idle(10_000);
      expect(told()).toHaveLength(1);
      expect(slack.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
    } finally {
      slack.api.override = undefined;
    }
  });

  it('keeps OAuth installations in MongoDB and forgets them', async () => {
    const store = new MongoInstallationStore(new SlackInstallations(database.models.SlackInstallation));
    const installation = {
      team: { id: 'T00FAKE0001', name: 'Fake' },
      enterprise: undefined,
      user: { id: 'U00FAKEUSR1', token: undefined, scopes: undefined },
      bot: { token: 'xoxb-installed', scopes: ['chat:write'], id: 'B00FAKEBOT1', userId: 'U00FAKEBOT1' },
      isEnterpriseInstall: false,
    };
    await store.storeInstallation(installation);
    expect(await store.fetchInstallation({ teamId: 'T00FAKE0001', enterpriseId: undefined, isEnterpriseInstall: false })).toEqual(installation);
    await store.deleteInstallation({ teamId: 'T00FAKE0001', enterpriseId: undefined, isEnterpriseInstall: false });
    await expect(store.fetchInstallation({ teamId: 'T00FAKE0001', enterpriseId: undefined, isEnterpriseInstall: false })).rejects.toThrow(/not installed/);
  });
});
