/** Prints one figure per line as `name: value unit`. */
export function report(name: string, value: number, unit = '', digits = 1): void {
  process.stdout.write(`${name}: ${value.toFixed(digits)}${unit ? ` ${unit}` : ''}\n`);
}

export const rssMegabytes = () => process.memoryUsage().rss / (1024 * 1024);

/** Runs `task(i)` for i in [0, count) with `concurrency` workers; returns elapsed seconds. */
export async function timed(count: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/**
 * Counts the database commands `client` sends from now on, by kind (`insert incidents`, `find timers`…),
 * refused inserts apart, with the milliseconds each kind waited for its answers in all.
 */
export function countCommandsByKind(client: import('mongodb').MongoClient): { byKind: Map<string, number>; msByKind: Map<string, number>; stop: () => void } {
  const byKind = new Map<string, number>();
  const msByKind = new Map<string, number>();
  const started = new Map<number, string>();
  const count = (kind: string) => byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
  const onStarted = (event: import('mongodb').CommandStartedEvent) => {
    const kind = `${event.commandName} ${String((event.command as Record<string, unknown>)[event.commandName] ?? '')}`;
    count(kind);
    started.set(event.requestId, kind);
  };
  const onEnded = (event: import('mongodb').CommandSucceededEvent | import('mongodb').CommandFailedEvent) => {
    const kind = started.get(event.requestId);
    started.delete(event.requestId);
    if (!kind) return;
    msByKind.set(kind, (msByKind.get(kind) ?? 0) + event.duration);
    if ('reply' in event && (event.reply as { writeErrors?: unknown[] } | undefined)?.writeErrors?.length) count(`${kind} (refused: taken)`);
  };
  client.on('commandStarted', onStarted);
  client.on('commandSucceeded', onEnded);
  client.on('commandFailed', onEnded);
  return {
    byKind,
    msByKind,
    stop: () => {
      client.off('commandStarted', onStarted);
      client.off('commandSucceeded', onEnded);
      client.off('commandFailed', onEnded);
    },
  };
}

/** The database's plain insert rate in the same run: the yardstick other figures are read beside. */
export async function rawInsertRate(database: import('../src/db/connect').Database, concurrency = 8): Promise<number> {
  const collection = database.connection.collection('bench_raw_inserts');
  const seconds = await timed(1000, concurrency, (i) => collection.insertOne({ _id: `raw-${i}` as never, at: new Date(), text: 'x'.repeat(200) }));
  return 1000 / seconds;
}
