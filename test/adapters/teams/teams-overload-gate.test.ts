import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { teamsOverloadGate } from '../../../adapters/teams/teams-overload-gate';
import { silentLogger } from '../../support/factories';

describe('Teams activities turned away while opsdesk is busy', () => {
  let server: Server;
  let url: string;
  let release: () => void = () => {};
  let reached = 0;

  beforeAll(async () => {
    const app = express();
    app.use(express.json());
    app.post('/api/messages', teamsOverloadGate({ limits: { maxInProgress: 1, maxWorkInFlight: 100 }, workInFlight: () => 0, busyText: () => 'opsdesk is busy', log: silentLogger() }), (_req, res) => {
      reached += 1;
      // The first activity holds its answer: the process is "full" until it is released.
      new Promise<void>((resolve) => (release = resolve)).then(() => res.json({}));
    });
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const post = (activity: object) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });

  it('answers a click with the busy line, a type-ahead with nothing, a message 503 with Retry-After; none reaches the bot', async () => {
    const holding = post({ type: 'message', text: 'itsm mine' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(reached).toBe(1);

    const click = await post({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'incident.ack' } } });
    expect(await click.json()).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'opsdesk is busy' });
    const search = await post({ type: 'invoke', name: 'application/search', value: { queryText: 'vpn' } });
    expect(await search.json()).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.search.searchResponse', value: { results: [] } });
    const message = await post({ type: 'message', text: 'itsm help' });
    expect(message.status).toBe(503);
    expect(message.headers.get('retry-after')).toBe('30');
    expect(reached).toBe(1);

    release();
    expect((await holding).status).toBe(200);
    // Answered: room again.
    const after = post({ type: 'message', text: 'itsm help' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(reached).toBe(2);
    release();
    expect((await after).status).toBe(200);
  });
});
