import { WebClient } from '@slack/web-api';
import { RecordingSlackApi } from '../../support/slack/recording-slack-api';

/** The stand-in every Slack figure is measured against answers as Slack does over its limits. */
describe("the recording Slack Web API enforces Slack's published limits", () => {
  let api: RecordingSlackApi;
  let client: WebClient;
  beforeAll(async () => {
    api = new RecordingSlackApi();
    await api.start();
    client = new WebClient('xoxb-limits', { slackApiUrl: api.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
  });
  afterAll(() => api.stop());

  it('chat.postMessage: a short burst into a channel, then one a second; other channels are not held back', async () => {
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => client.chat.postMessage({ channel: 'C0BUSY', text: `line ${i}` })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 1 });
    await expect(client.chat.postMessage({ channel: 'C0QUIET', text: 'elsewhere' })).resolves.toMatchObject({ ok: true });
    // A user id lands in the DM with them: a channel of its own.
    await expect(client.chat.postMessage({ channel: 'U0SOMEONE', text: 'hi' })).resolves.toMatchObject({ ok: true, channel: 'DU0SOMEONE' });
    await new Promise((r) => setTimeout(r, 1100));
    await expect(client.chat.postMessage({ channel: 'C0BUSY', text: 'a second later' })).resolves.toMatchObject({ ok: true });
  });

  it("a Tier 3 method: 50 calls a minute per workspace, the 51st refused with the wait until the window frees", async () => {
    const calls = await Promise.allSettled(Array.from({ length: 51 }, (_, i) => client.chat.update({ channel: 'C0BUSY', ts: `1.${i}`, text: 'edit' })));
    expect(calls.filter((r) => r.status === 'fulfilled')).toHaveLength(50);
    const refused = calls.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason.retryAfter).toBeGreaterThan(50);
    // Another workspace has its own budget.
    const other = new WebClient('xoxb-other-workspace', { slackApiUrl: api.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    await expect(other.chat.update({ channel: 'C0BUSY', ts: '1.0', text: 'edit' })).resolves.toMatchObject({ ok: true });
    expect(api.limitedCalls.map((c) => c.method)).toEqual(['chat.postMessage', 'chat.postMessage', 'chat.update']);
  });
});
