import { join } from 'node:path';
import { dispatch } from '../handlers/dispatch';
import { createApp, type App } from '../src/app';
import { loadItsmConfig } from '../src/config/load-itsm-config';
import { connectDatabase, type Database } from '../src/db/connect';
import { createLogger } from '../src/logger';
import type { NotificationDoc } from '../src/models/notification.model';
import type { DeliveryOutcome, NotificationDeliverer } from '../src/services/notifier';
import { REQUEST_IDS } from '../src/views/request-actions';
import { CHANGE_IDS } from '../src/views/change-actions';
import { rawInsertRate, report, timed } from './measure';

const REQUESTS = Number(process.env.BENCH_APPROVAL_REQUESTS ?? 1000);
const CONCURRENCY = 8;
const CONFIG = join(__dirname, '..', '..', 'opsdesk.example.yml');
const BOARD = ['jordan.choi@example.com', 'robin.han@example.com', 'dana.oh@example.com'];

/** A platform that takes every message at once, counting each notification it is given. */
class CountingPlatform implements NotificationDeliverer {
  readonly platform = 'bench';
  readonly delivered = new Map<string, number>();
  async deliver(notification: NotificationDoc): Promise<DeliveryOutcome> {
    this.delivered.set(notification._id, (this.delivered.get(notification._id) ?? 0) + 1);
    return { kind: 'delivered' };
  }
  async wasDelivered(notification: NotificationDoc): Promise<boolean> {
    return this.delivered.has(notification._id);
  }
}

/**
 * Approvals at volume, two opsdesk apps (each with its own connection) on one database: REQUESTS
 * requests of an item the three-member board decides (all of them), submitted alternately in the
 * two, every approver's card stored and delivered through the outbox; then every vote cast, the
 * votes of one request in both apps at once. Then the same with REQUESTS changes the board decides.
 */
export async function runApprovalBench(uri: string): Promise<void> {
  const name = `bench_approvals_${Date.now()}`;
  const config = await loadItsmConfig(CONFIG);
  config.groups.push({ key: 'board', name: 'Review board', members: BOARD, managers: [], channels: {} });
  config.catalog.push({ ...config.catalog.find((c) => c.key === 'software')!, key: 'board-decision', name: 'Board decision', approval: [{ group: 'board', need: 'all' }], tasks: [] });
  config.changeApproval.unshift({ type: 'normal', risk: ['high'], approvers: [{ group: 'board', need: 'all' }] });
  const databases: Database[] = [];
  const apps: App[] = [];
  const platform = new CountingPlatform();
  for (let i = 0; i < 2; i++) {
    const database = await connectDatabase(uri, name);
    databases.push(database);
    const app = await createApp({ database, config, log: createLogger('silent') });
    app.jobs.notifier.register(platform);
    apps.push(app);
  }
  try {
    const raw = await rawInsertRate(databases[0]!);
    report('approval bench: raw insertOne (same run)', raw, 'documents/s');
    const jamie = await Promise.all(apps.map((app) => app.ctx.people.actorFor({ platform: 'web', userId: 'jamie', email: 'jamie.song@example.com' })));
    const numbers: string[] = [];
    const routing = await timed(REQUESTS, CONCURRENCY, async (i) => {
      const app = apps[i % 2]!;
      const answer = await dispatch(app.ctx, app.registry, app.log, { handlerId: REQUEST_IDS.submit, actor: jamie[i % 2]!, input: { item: 'board-decision', answers: { product: `Licence ${i}` } } });
      numbers.push(answer.announcements[0]!.recordId);
      await app.jobs.notifier.announce(answer.announcements);
    });
    await Promise.all(apps.map((app) => app.jobs.notifier.idle()));
    const cards = [...platform.delivered.keys()].filter((id) => BOARD.some((email) => id.includes(`card@email:${email}`)));
    const duplicates = [...platform.delivered.values()].filter((n) => n > 1).length;
    process.stdout.write(`approval routing: ${REQUESTS} requests to 3 approvers each, two processes: ${routing.toFixed(1)} s (approver cards delivered: ${cards.length}; duplicates: ${duplicates})\n`);

    const approvers = await Promise.all(apps.map((app) => Promise.all(BOARD.map((email) => app.ctx.people.actorFor({ platform: 'web', userId: email, email })))));
    // Each request's three votes at once, one of them in the other process.
    const deciding = await timed(REQUESTS, CONCURRENCY, async (i) => {
      await Promise.all(
        BOARD.map((_, k) => {
          const app = apps[(i + k) % 2]!;
          return dispatch(app.ctx, app.registry, app.log, { handlerId: REQUEST_IDS.approve, actor: approvers[(i + k) % 2]![k]!, input: { recordId: numbers[i] } });
        }),
      );
    });
    const decided = await databases[0]!.models.ServiceRequest.countDocuments({ state: 'in_fulfilment' });
    report('approval decisions per second', (REQUESTS * BOARD.length) / deciding, 'votes/s');
    process.stdout.write(`approval decisions: ${REQUESTS * BOARD.length} votes in ${deciding.toFixed(1)} s; requests approved by all three: ${decided} of ${REQUESTS}\n`);

    // The same for changes: high-risk normal changes the board decides (all of them).
    const alex = await Promise.all(apps.map((app) => app.ctx.people.actorFor({ platform: 'web', userId: 'alex', email: 'alex.park@example.com' })));
    const changes: string[] = [];
    const delivered = platform.delivered.size;
    const changeRouting = await timed(REQUESTS, CONCURRENCY, async (i) => {
      const app = apps[i % 2]!;
      const start = new Date(Date.parse('2027-02-01T01:00:00Z') + i * 3_600_000);
      const input = { title: `Change ${i}`, type: 'normal', risk: 'high', service: 'email', windowStart: start.toISOString(), windowEnd: new Date(start.getTime() + 1_800_000).toISOString(), plan: 'Do it.', backoutPlan: 'Undo it.' };
      const answer = await dispatch(app.ctx, app.registry, app.log, { handlerId: CHANGE_IDS.submit, actor: alex[i % 2]!, input });
      changes.push(answer.announcements[0]!.recordId);
      await app.jobs.notifier.announce(answer.announcements);
    });
    await Promise.all(apps.map((app) => app.jobs.notifier.idle()));
    const changeCards = [...platform.delivered.keys()].filter((id) => id.startsWith('CHG') && BOARD.some((email) => id.includes(`card@email:${email}`)));
    const changeDuplicates = [...platform.delivered.values()].filter((n) => n > 1).length;
    process.stdout.write(`approval routing: ${REQUESTS} changes to 3 approvers each, two processes: ${changeRouting.toFixed(1)} s (approver cards delivered: ${changeCards.length}; duplicates: ${changeDuplicates}; messages in all: ${platform.delivered.size - delivered})\n`);
    const changeDeciding = await timed(REQUESTS, CONCURRENCY, async (i) => {
      await Promise.all(
        BOARD.map((_, k) => {
          const app = apps[(i + k) % 2]!;
          return dispatch(app.ctx, app.registry, app.log, { handlerId: CHANGE_IDS.approve, actor: approvers[(i + k) % 2]![k]!, input: { recordId: changes[i] } });
        }),
      );
    });
    const scheduled = await databases[0]!.models.Change.countDocuments({ state: 'scheduled' });
    report('approval decisions per second (changes)', (REQUESTS * BOARD.length) / changeDeciding, 'votes/s');
    process.stdout.write(`approval decisions (changes): ${REQUESTS * BOARD.length} votes in ${changeDeciding.toFixed(1)} s; changes scheduled: ${scheduled} of ${REQUESTS}\n`);
  } finally {
    await Promise.all(apps.map((app) => app.jobs.notifier.stop(5_000)));
    await databases[0]!.drop().catch(() => undefined);
    await Promise.all(databases.map((d) => d.close()));
  }
}
