import type { KnownBlock } from '@slack/types';
import { WebClient } from '@slack/web-api';
import type { Database } from '../../../src/db/connect';
import { Pacer } from '../../../src/services/pacing';
import { HomePublisher } from '../../../adapters/slack/home-publisher';
import { methodPace, workspaceOf } from '../../../adapters/slack/slack-limits';
import { RecordingSlackApi } from '../../support/slack/recording-slack-api';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

const home = (text: string): KnownBlock[] => [{ type: 'section', text: { type: 'mrkdwn', text } }];

/**
 * App Home is drawn when its turn to be published comes (drawing reads the person's lists): the
 * opens that come while one waits are answered by that one, drawn once; a home whose turn is too
 * far off is not drawn at all; one Slack refuses goes again after the Retry-After. Real turns on
 * the real database, views.publish on the recording API.
 */
describe('App Home publisher: drawn at its turn, once per turn', () => {
  let database: Database;
  const api = new RecordingSlackApi();

  beforeAll(async () => {
    database = await openTestDatabase('home_publisher');
    await api.start();
  });
  afterAll(async () => {
    await api.stop();
    await dropTestDatabase(database);
  });

  /** A client of its own workspace (its own turns), and that workspace's views.publish turns taken up to `taken`. */
  async function workspaceWithTurnsTaken(token: string, taken: number): Promise<{ client: WebClient; publisher: HomePublisher }> {
    const client = new WebClient(token, { slackApiUrl: api.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    const pacer = new Pacer(database.models);
    for (let i = 0; i < taken; i++) await pacer.take(methodPace(workspaceOf(client), 'views.publish'));
    return { client, publisher: new HomePublisher(pacer) };
  }

  it("one person's opens while a home waits for its turn are drawn once, as the latest asked", async () => {
    // The burst and two more turns taken: the next is about a second off.
    const { client, publisher } = await workspaceWithTurnsTaken('xoxb-home-latest', 5);
    const drawn: number[] = [];
    const opens = Array.from({ length: 5 }, (_, i) =>
      publisher.publish(client, 'U0HOME0001', async () => {
        drawn.push(i);
        return home(`open ${i}`);
      }),
    );
    expect(await Promise.all(opens)).toEqual([true, true, true, true, true]);
    expect(drawn).toEqual([4]);
    const published = api.callsOf('views.publish').filter((c) => c.args.user_id === 'U0HOME0001');
    expect(published).toHaveLength(1);
    expect(JSON.stringify(published[0]!.args.view)).toContain('open 4');
  });

  it('a home Slack refuses with 429 is drawn again and published at a turn after the Retry-After', async () => {
    const { client, publisher } = await workspaceWithTurnsTaken('xoxb-home-refused', 0);
    let refused = 0;
    api.override = (call) => {
      if (call.method !== 'views.publish' || call.args.user_id !== 'U0HOME0003' || refused > 0) return undefined;
      refused++;
      return { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } };
    };
    try {
      let drawn = 0;
      const published = await publisher.publish(client, 'U0HOME0003', async () => home(`draw ${++drawn}`));
      expect(published).toBe(true);
      const calls = api.callsOf('views.publish').filter((c) => c.args.user_id === 'U0HOME0003');
      expect(calls).toHaveLength(2);
      expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(1000);
      // What a newer open published meanwhile is not overwritten by the older drawing.
      expect(JSON.stringify(calls[1]!.args.view)).toContain('draw 2');
    } finally {
      api.override = undefined;
    }
  });

  it('a home whose turn is too far off is neither drawn nor published, and says so', async () => {
    // 100 turns of 625 ms: the next is about a minute off, well past the 45 s a home may wait.
    const { client, publisher } = await workspaceWithTurnsTaken('xoxb-home-far', 100);
    let drawn = 0;
    const published = await publisher.publish(client, 'U0HOME0002', async () => {
      drawn += 1;
      return home('never');
    });
    expect(published).toBe(false);
    expect(drawn).toBe(0);
    expect(api.callsOf('views.publish').filter((c) => c.args.user_id === 'U0HOME0002')).toHaveLength(0);
  });
});
