import type { Database } from '../../../src/db/connect';
import type { IncidentDoc } from '../../../src/models/incident.model';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import { buttonClick, reportSubmission, reportValues } from '../../support/slack/payloads';
import { interactionBody, postToSlackEndpoint } from '../../support/slack/signed-request';
import { SLACK_USERS, eventually, startSlackHarness, type SlackHarness } from '../../support/slack/slack-harness';
import { TestClock } from '../../support/factories';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

const FORM = 'application/x-www-form-urlencoded';

/**
 * A request whose work was done, but whose process died before clearing it from the intake, is
 * replayed by another process: the change stands once, nobody is told twice or told a refusal.
 */
describe('replaying work that was already done (Slack over real HTTP, real database)', () => {
  let database: Database;
  let slack: SlackHarness;
  const clock = new TestClock(new Date());

  beforeAll(async () => {
    database = await openTestDatabase('slack_replay');
    slack = await startSlackHarness(database, clock);
  });
  afterAll(async () => {
    await slack.close();
    await dropTestDatabase(database);
  });

  /** As if the process that handled `payload` had died right after doing its work: its intake is still there. */
  async function leftInTheIntake(kind: string, payload: Record<string, any>, store = database.models.Intake): Promise<void> {
    const key = `${kind}:${payload.trigger_id}`;
    await database.models.ProcessBeat.updateOne({ _id: 'dead-process' }, { $set: { at: new Date(Date.now() - 120_000) } }, { upsert: true });
    await store.collection.insertOne({
      _id: `slack:${key}`,
      platform: 'slack',
      owner: 'dead-process',
      payload: JSON.stringify({ kind, body: payload }),
      receivedAt: new Date(Date.now() - 120_000),
    } as never);
  }

  const threadLines = (ts: string) => slack.api.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === ts).map((c) => String(c.args.text));

  /** A report submitted over HTTP and done: the submission, its incident and where its card is. */
  async function reported(viewId: string, summary: string) {
    const submission = reportSubmission(viewId, reportValues(summary));
    expect((await postToSlackEndpoint(slack.url, { body: interactionBody(submission), contentType: FORM })).status).toBe(200);
    await slack.idle();
    const incident = (await database.models.Incident.findOne({ dedupeKey: `slack:view:${viewId}` }).lean<IncidentDoc>())!;
    const card = (await database.models.CardLocation.findById(`${incident._id}:slack`).lean()) as { channel: string; messageId: string };
    return { submission, incident, card };
  }

  const posts = () => slack.api.calls.filter((c) => ['chat.postMessage', 'chat.update', 'chat.postEphemeral'].includes(c.method));

  it('a report: one incident; its card, thread line and confirmation, stored in the outbox the first time, are not posted again', async () => {
    const { submission, incident } = await reported('V-REPLAY-1', 'Printer offline');
    expect(slack.api.callsOf('chat.postEphemeral').map((c) => String(c.args.text))).toEqual([expect.stringMatching(new RegExp(`^${incident._id} is open`))]);
    slack.api.clear();

    await leftInTheIntake('view_submission', submission);
    expect(await slack.app.intake.reconcile()).toBe(1);
    await slack.idle();
    expect(await database.models.Incident.countDocuments({ dedupeKey: 'slack:view:V-REPLAY-1' })).toBe(1);
    expect(posts()).toEqual([]);
    expect(await database.models.Intake.countDocuments()).toBe(0);
  });

  it("the intake has a database of its own; a report a process from before it acknowledged, left in the application's database, is replayed once after the upgrade", async () => {
    expect(database.models.Intake.db.name).toBe(`${database.connection.name}_intake`);
    const submission = reportSubmission('V-REPLAY-UPGRADE', reportValues('Scanner jammed'));
    await leftInTheIntake('view_submission', submission, database.models.IntakeInMainDatabase);
    expect(await slack.app.intake.reconcile()).toBe(1);
    await slack.idle();
    expect(await database.models.Incident.countDocuments({ dedupeKey: 'slack:view:V-REPLAY-UPGRADE' })).toBe(1);
    expect(await database.models.IntakeInMainDatabase.countDocuments()).toBe(0);
    expect(await database.models.Intake.countDocuments()).toBe(0);
    expect(await slack.app.intake.reconcile()).toBe(0);
  });

  it('a card Slack took from a process that died before remembering it: the next attempt finds it by its metadata and edits it, posting no other', async () => {
    const { incident, card } = await reported('V-REPLAY-3', 'Badge reader down');
    const [delivery] = await database.models.Notification.find({ recordId: incident._id, reason: 'card.v1' }).lean();
    // What the process leaves when killed between Slack's answer and our writes: the first post
    // claimed, its message id never written, the attempt without an outcome.
    await database.models.CardLocation.updateOne({ _id: `${incident._id}:slack` }, { $unset: { messageId: 1 }, $set: { claimedAt: new Date(Date.now() - 10 * 60_000) } });
    await database.models.NotificationAttempt.deleteMany({ notificationId: delivery!._id });
    const before = slack.api.calls.length;

    // The attempt's lease runs out: the next attempt is made.
    await slack.app.jobs.wheel.schedule('deliver', `${delivery!._id}#2`, clock.now());
    clock.advanceMinutes(0.2);
    await slack.app.jobs.wheel.tickAll();
    await slack.app.jobs.notifier.idle();
    const since = slack.api.calls.slice(before);
    const cardPosts = since.filter((c) => c.method === 'chat.postMessage' && (c.args.metadata as { event_type?: string } | undefined)?.event_type === 'opsdesk_card');
    expect(cardPosts).toEqual([]);
    expect(since.filter((c) => c.method === 'conversations.history')).toHaveLength(1);
    expect(since.filter((c) => c.method === 'chat.update').map((c) => c.args.ts)).toEqual([card.messageId]);
    expect((await database.models.CardLocation.findById(`${incident._id}:slack`).lean())?.messageId).toBe(card.messageId);
    expect((await slack.app.jobs.notifier.status(delivery!._id)).state).toBe('delivered');
  });

  it('a card whose first post was claimed by a process that died before posting it: the next delivery takes the claim over and posts it once', async () => {
    const { incident } = await reported('V-REPLAY-4', 'Door controller offline');
    // What a process killed after claiming the first post, before Slack took it, leaves: a claim
    // without a message, and nothing in the channel.
    await database.models.CardLocation.updateOne(
      { _id: `${incident._id}:slack` },
      { $unset: { messageId: 1, version: 1 }, $set: { claimedBy: 'dead-delivery', claimedAt: new Date(Date.now() - 10 * 60_000) } },
    );
    slack.api.clear();

    // The next change draws the card again: it is posted, once, where the claim said.
    const click = buttonClick(INCIDENT_IDS.ack, incident._id, SLACK_USERS.sam.id);
    expect((await postToSlackEndpoint(slack.url, { body: interactionBody(click), contentType: FORM })).status).toBe(200);
    await slack.idle();
    await eventually(async () => (await database.models.CardLocation.findById(`${incident._id}:slack`).lean())?.messageId !== undefined, 10_000);
    const cardPosts = slack.api.calls.filter((c) => c.method === 'chat.postMessage' && (c.args.metadata as { event_type?: string } | undefined)?.event_type === 'opsdesk_card');
    expect(cardPosts).toHaveLength(1);
    const location = await database.models.CardLocation.findById(`${incident._id}:slack`).lean();
    expect(location?.messageId).toBe(cardPosts[0]!.ts);
    expect(location?.claimedBy).not.toBe('dead-delivery');
  });

  it('a click: the change stands once, no refusal told or audited, nothing posted again', async () => {
    const { incident, card } = await reported('V-REPLAY-2', 'Mail relay down');
    const click = buttonClick(INCIDENT_IDS.ack, incident._id, SLACK_USERS.sam.id, { channel: card.channel, ts: card.messageId });
    await postToSlackEndpoint(slack.url, { body: interactionBody(click), contentType: FORM });
    await slack.idle();
    await eventually(() => threadLines(card.messageId).some((l) => l.includes('acknowledged')));
    slack.api.clear();

    await leftInTheIntake('block_actions', click);
    expect(await slack.app.intake.reconcile()).toBe(1);
    await slack.idle();
    const events = await database.models.AuditEvent.find({ recordId: incident._id }).lean();
    expect(events.filter((e) => e.action === 'acknowledge')).toHaveLength(1);
    expect(events.filter((e) => e.action.endsWith('.refused'))).toEqual([]);
    expect(posts()).toEqual([]);
  });

  it('a submission Slack was answered for before it was stored (Bolt\'s 3 s timeout, a 404 the person sees as a failure) is withdrawn, not done later', async () => {
    const accept = slack.app.intake.accept.bind(slack.app.intake);
    // The intake's write outlasts Slack's 3 s: Bolt answers the request itself, then the listener's ack finds it answered.
    const slow = jest.spyOn(slack.app.intake, 'accept').mockImplementationOnce(async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 3_300));
      return accept(...args);
    });
    const submission = reportSubmission('V-TOO-LATE', reportValues('Stored too late'));
    expect((await postToSlackEndpoint(slack.url, { body: interactionBody(submission), contentType: FORM })).status).toBe(404);
    await eventually(() => slack.logs.some((e) => String(e.msg).startsWith('Slack was answered before the request was acknowledged')), 10_000);
    await slack.idle();
    slow.mockRestore();
    expect(await database.models.Intake.countDocuments({ _id: `slack:view_submission:${submission.trigger_id}` })).toBe(0);
    expect(await database.models.Incident.countDocuments({ dedupeKey: 'slack:view:V-TOO-LATE' })).toBe(0);
  }, 20_000);
});
