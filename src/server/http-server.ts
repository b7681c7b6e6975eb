import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StartupError } from '../startup-error';
import express, { type Express } from 'express';
import type { Logger } from '../logger';

export interface HttpServer {
  app: Express;
  server: Server;
  port: number;
  /** Stops taking connections and waits for in-flight requests (up to `graceMs`). */
  close(graceMs?: number): Promise<void>;
}

/**
 * The one HTTP server the Slack, Teams and web adapters mount on. `/healthz`: the process is up;
 * `/readyz`: the database answers, and the process is not shutting down.
 */
export async function startHttpServer(options: {
  host: string;
  port: number;
  log: Logger;
  databaseReady: () => Promise<boolean>;
  mount?: (app: Express) => void;
}): Promise<HttpServer> {
  const app = express();
  app.disable('x-powered-by');
  let stopping = false;

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    // Each part as it is: the database is asked even while stopping, and stopping is read after
    // the answer (a probe that began before the stop reports it).
    const database = await options.databaseReady();
    const ready = database && !stopping;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', database, stopping });
  });
  options.mount?.(app);
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });

  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${options.host}:${options.port}`;
      if (error.code === 'EADDRINUSE') reject(new StartupError(`${where} is already in use: stop what listens there, or set PORT to a free port`));
      else if (error.code === 'EACCES') reject(new StartupError(`${where} may not be listened on by this user: set PORT to 1024 or above`));
      else if (error.code === 'EADDRNOTAVAIL') reject(new StartupError(`${options.host} is not an address of this machine: set HOST to one that is (127.0.0.1, or 0.0.0.0 for all)`));
      else reject(error);
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    app,
    server,
    port,
    close: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        stopping = true;
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        // Keep-alive sockets become idle as their last response ends: close them as they do.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.close(() => {
          clearTimeout(force);
          clearInterval(sweep);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
