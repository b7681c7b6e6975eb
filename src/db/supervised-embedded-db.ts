import type { ChildProcess } from 'node:child_process';
import { spawnEmbeddedDb, stopChild, type EmbeddedDbOptions, type RunningDb } from './embedded-db';

/** Restarts allowed within RESTART_WINDOW_MS before the database is given up on. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 5 * 60_000;

export interface SupervisedDb extends RunningDb {
  /** The server process running now (it changes with each restart). */
  readonly child: ChildProcess;
}

/**
 * The embedded server, kept running: if it dies, it is started again on the same port and the
 * same data, so the application's connection finds it again (its pool reconnects); `/readyz` says
 * unavailable meanwhile. If it keeps dying (MAX_RESTARTS within RESTART_WINDOW_MS, or a restart
 * fails), `onGiveUp` is told, and opsdesk exits for its own supervisor to restart it, instead of
 * staying up half-alive.
 */
export async function startSupervisedEmbeddedDb(
  options: EmbeddedDbOptions,
  events: { onRestart(detail: { code: number | null; signal: string | null; restarts: number }): void; onGiveUp(reason: string): void },
): Promise<SupervisedDb> {
  let current = await spawnEmbeddedDb(options, '127.0.0.1:0');
  const listen = new URL(current.uri).host;
  let stopping = false;
  const restarts: number[] = [];

  const watch = (child: ChildProcess) => {
    child.once('exit', (code, signal) => {
      if (stopping) return;
      const now = Date.now();
      while (restarts.length > 0 && (restarts[0] as number) < now - RESTART_WINDOW_MS) restarts.shift();
      if (restarts.length >= MAX_RESTARTS) {
        events.onGiveUp(`the embedded database died ${restarts.length + 1} times within ${RESTART_WINDOW_MS / 60_000} minutes`);
        return;
      }
      restarts.push(now);
      events.onRestart({ code, signal, restarts: restarts.length });
      spawnEmbeddedDb(options, listen)
        .then((next) => {
          current = next;
          if (stopping) void stopChild(next.child);
          else watch(next.child);
        })
        .catch((error: unknown) => events.onGiveUp(`the embedded database could not be started again: ${(error as Error).message}`));
    });
  };
  watch(current.child);

  return {
    uri: current.uri,
    get child() {
      return current.child;
    },
    stop: async () => {
      stopping = true;
      await stopChild(current.child);
    },
  };
}
