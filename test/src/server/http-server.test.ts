import { startHttpServer } from '../../../src/server/http-server';
import { silentLogger } from '../../support/factories';

describe('HTTP server', () => {
  it('reports not ready while the database does not answer, and while stopping', async () => {
    let databaseUp = false;
    let release: () => void = () => {};
    const server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      log: silentLogger(),
      databaseReady: async () => databaseUp,
      mount: (app) =>
        app.get('/slow', (_req, res) => {
          release = () => res.json({ finished: true });
        }),
    });
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    databaseUp = true;
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready', database: true, stopping: false });

    // A request in flight when shutdown begins is finished, not cut.
    const inFlight = fetch(`${base}/slow`).then((r) => r.json());
    await new Promise((r) => setTimeout(r, 50));
    const closed = server.close(5_000);
    release();
    expect(await inFlight).toEqual({ finished: true });
    await closed;
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
