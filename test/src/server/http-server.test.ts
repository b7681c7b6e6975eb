import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { startHttpServer } from '../../../src/server/http-server';
import { silentLogger } from '../../support/factories';

/** The responses read off one raw HTTP/1.1 connection: status and JSON body of each, in order. */
function responsesIn(raw: string): { status: number; body: unknown }[] {
  const responses: { status: number; body: unknown }[] = [];
  let rest = raw;
  while (rest.length > 0) {
    const headEnd = rest.indexOf('\r\n\r\n');
    const head = rest.slice(0, headEnd);
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
    const body = rest.slice(headEnd + 4, headEnd + 4 + length);
    responses.push({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), body: JSON.parse(body) });
    rest = rest.slice(headEnd + 4 + length);
  }
  return responses;
}

describe('HTTP server', () => {
  it('reports not ready while the database does not answer, and while stopping', async () => {
    let databaseUp = false;
    let release: () => void = () => {};
    let arrived: () => void = () => {};
    const slowArrived = new Promise<void>((resolve) => (arrived = resolve));
    const server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      log: silentLogger(),
      databaseReady: async () => databaseUp,
      mount: (app) =>
        app.get('/slow', (_req, res) => {
          release = () => res.json({ finished: true });
          arrived();
        }),
    });
    const base = `http://127.0.0.1:${server.port}`;
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'unavailable', database: false, stopping: false });
    databaseUp = true;
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: true, stopping: false });

    // A request in flight when shutdown begins is finished, not cut; the listener is closed by
    // then, so the readiness probe that reaches the stopping server comes on that same
    // (keep-alive) connection, sent once the shutdown has begun.
    const socket = connect(server.port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    const socketClosed = once(socket, 'close');
    socket.write('GET /slow HTTP/1.1\r\nHost: opsdesk\r\n\r\n');
    await slowArrived;
    const closed = server.close(5_000);
    const probeArrived = new Promise<void>((resolve) =>
      server.server.on('request', (req: IncomingMessage) => req.url === '/readyz' && resolve()),
    );
    socket.write('GET /readyz HTTP/1.1\r\nHost: opsdesk\r\n\r\n');
    await probeArrived;
    release();
    await closed;
    await socketClosed;
    expect(responsesIn(received)).toEqual([
      { status: 200, body: { finished: true } },
      // Not ready because it is stopping; the database itself still answers.
      { status: 503, body: { status: 'unavailable', database: true, stopping: true } },
    ]);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
