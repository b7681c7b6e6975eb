import { connectDatabase, type Database } from '../../../src/db/connect';
import { PoolPressure } from '../../../src/db/pool-pressure';
import { BoundedQueue } from '../../../src/services/bounded-queue';
import { dropTestDatabase, openTestDatabase, testDatabaseUri } from '../../support/test-database';

/** The test server's address with the driver's pool bounded to `size` connections. */
function withPool(size: number): string {
  const url = new URL(testDatabaseUri());
  url.searchParams.set('maxPoolSize', String(size));
  return url.toString();
}

describe('the database pool holding work back (real database)', () => {
  let database: Database;
  let small: Database;

  beforeAll(async () => {
    database = await openTestDatabase('pool_pressure');
    small = await connectDatabase(withPool(2), database.connection.name);
  });
  afterAll(async () => {
    await small.close();
    await dropTestDatabase(database);
  });

  it('counts the operations waiting for one of two connections, holds back from the threshold, and is relieved at half of it', async () => {
    const pressure = new PoolPressure(small.connection.getClient(), 8);
    let reliefs = 0;
    let most = 0;
    let heldBackSeen = false;
    const seeHeldBack = () => {
      if (!pressure.holdBack) return;
      // Asked once for the next relief, however often it is seen held back.
      if (!heldBackSeen) pressure.whenRelieved(() => (reliefs += 1));
      heldBackSeen = true;
    };
    const watch = setInterval(() => {
      most = Math.max(most, pressure.waitingForConnection);
      seeHeldBack();
    }, 1);
    const reads = Array.from({ length: 40 }, (_, i) => small.models.Incident.findById(`INC-pool-${i}`).lean());
    await new Promise((resolve) => setImmediate(resolve));
    most = Math.max(most, pressure.waitingForConnection);
    seeHeldBack();
    await Promise.all(reads);
    clearInterval(watch);
    expect(most).toBeGreaterThanOrEqual(8);
    expect(heldBackSeen).toBe(true);
    expect(reliefs).toBe(1);
    expect(pressure.holdBack).toBe(false);
    expect(pressure.waitingForConnection).toBe(0);
  });

  it('a queue under it begins no task while the pool is pressed, and begins them all once it is relieved', async () => {
    const pressure = new PoolPressure(small.connection.getClient(), 8);
    const queue = new BoundedQueue(50, Number.POSITIVE_INFINITY, { gate: pressure });
    const begunWhilePressed: number[] = [];
    let begun = 0;
    // Each task reads twice; at most two reads run at once, the rest wait for a connection.
    const task = (i: number) => async () => {
      begun += 1;
      if (pressure.holdBack && begun > 1) begunWhilePressed.push(i);
      await small.models.Incident.findById(`INC-queue-${i}`).lean();
      await small.models.Incident.findById(`INC-queue-${i}-again`).lean();
    };
    for (let i = 0; i < 200; i++) queue.offer(task(i));
    await queue.idle();
    expect(begun).toBe(200);
    // Pressed from the eighth waiting read, the queue began no more until half of them had a connection.
    expect(begunWhilePressed).toEqual([]);
    expect(pressure.waitingForConnection).toBe(0);
  });
});
