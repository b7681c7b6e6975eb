import type { Database } from '../../../src/db/connect';
import type { IncidentDoc } from '../../../src/models/incident.model';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import { buttonClick, reportSubmission, reportValues } from '../../support/slack/payloads';
import { interactionBody, postToSlackEndpoint } from '../../support/slack/signed-request';
import { SLACK_USERS, eventually, startSlackHarness, type SlackHarness } from '../../support/slack/slack-harness';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';

const FORM = 'application/x-www-form-urlencoded';

/**
 * A request whose work was done, but whose process died before clearing it from the intake, is
 * replayed by another process: the change stands once, nobody is told twice or told a refusal.
 */
describe('replaying work that was already done (Slack over real HTTP, real database)', () => {
  let database: Database;
  let slack: SlackHarness;

  beforeAll(async () => {
    database = await openTestDatabase('slack_replay');
    slack = await startSlackHarness(database);
  });
  afterAll(async () => {
    await slack.close();
    await dropTestDatabase(database);
  });

  /** As if the process that handled `payload` had died right after doing its work: its intake is still there. */
  async function leftInTheIntake(kind: string, payload: Record<string, any>): Promise<void> {
    const key = `${kind}:${payload.trigger_id}`;
    await database.models.ProcessBeat.updateOne({ _id: 'dead-process' }, { $set: { at: new Date(Date.now() - 120_000) } }, { upsert: true });
    await database.models.Intake.collection.insertOne({
      _id: `slack:${key}`,
      platform: 'slack',
      owner: 'dead-process',
      payload: JSON.stringify({ kind, body: payload }),
      receivedAt: new Date(Date.now() - 120_000),
    } as never);
  }

  const threadLines = (ts: string) => slack.api.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === ts).map((c) => String(c.args.text));

  it('a report: one incident, its card announced again, the confirmation told, no second thread line', async () => {
    const submission = reportSubmission('V-REPLAY-1', reportValues('Printer offline'));
    expect((await postToSlackEndpoint(slack.url, { body: interactionBody(submission), contentType: FORM })).status).toBe(200);
    await slack.idle();
    const incident = (await database.models.Incident.findOne({ dedupeKey: 'slack:view:V-REPLAY-1' }).lean<IncidentDoc>())!;
    const card = (await database.models.CardLocation.findById(`${incident._id}:slack`).lean())!;
    slack.api.clear();

    await leftInTheIntake('view_submission', submission);
    expect(await slack.app.intake.reconcile()).toBe(1);
    expect(await database.models.Incident.countDocuments({ dedupeKey: 'slack:view:V-REPLAY-1' })).toBe(1);
    expect(slack.api.callsOf('chat.update').map((c) => c.args.ts)).toEqual([card.messageId]);
    expect(threadLines(card.messageId)).toEqual([]);
    expect(slack.api.callsOf('chat.postEphemeral').map((c) => String(c.args.text))).toEqual([expect.stringMatching(new RegExp(`^${incident._id} is open`))]);
    expect(await database.models.Intake.countDocuments()).toBe(0);
  });

  it('a report whose card was posted but not remembered before the crash: the replay finds the card instead of posting another', async () => {
    const submission = reportSubmission('V-REPLAY-3', reportValues('Badge reader down'));
    await postToSlackEndpoint(slack.url, { body: interactionBody(submission), contentType: FORM });
    await slack.idle();
    const incident = (await database.models.Incident.findOne({ dedupeKey: 'slack:view:V-REPLAY-3' }).lean<IncidentDoc>())!;
    const card = (await database.models.CardLocation.findById(`${incident._id}:slack`).lean())!;
    // The process died between posting the card and remembering where. (The channel's history,
    // which the stand-in reads from what was posted, is kept.)
    await database.models.CardLocation.deleteOne({ _id: `${incident._id}:slack` });
    const before = slack.api.calls.length;

    await leftInTheIntake('view_submission', submission);
    expect(await slack.app.intake.reconcile()).toBe(1);
    const since = slack.api.calls.slice(before);
    expect(since.filter((c) => c.method === 'chat.postMessage' && !c.args.thread_ts)).toEqual([]);
    expect(since.filter((c) => c.method === 'chat.update').map((c) => c.args.ts)).toEqual([card.messageId]);
    expect((await database.models.CardLocation.findById(`${incident._id}:slack`).lean())?.messageId).toBe(card.messageId);
  });

  it('a click: the change stands once, no refusal told or audited, no second thread line', async () => {
    const submission = reportSubmission('V-REPLAY-2', reportValues('Mail relay down'));
    await postToSlackEndpoint(slack.url, { body: interactionBody(submission), contentType: FORM });
    await slack.idle();
    const incident = (await database.models.Incident.findOne({ dedupeKey: 'slack:view:V-REPLAY-2' }).lean<IncidentDoc>())!;
    const card = (await database.models.CardLocation.findById(`${incident._id}:slack`).lean())!;
    const click = buttonClick(INCIDENT_IDS.ack, incident._id, SLACK_USERS.sam.id, { channel: card.channel, ts: card.messageId });
    await postToSlackEndpoint(slack.url, { body: interactionBody(click), contentType: FORM });
    await slack.idle();
    await eventually(() => threadLines(card.messageId).some((l) => l.includes('acknowledged')));
    slack.api.clear();

    await leftInTheIntake('block_actions', click);
    expect(await slack.app.intake.reconcile()).toBe(1);
    const events = await database.models.AuditEvent.find({ recordId: incident._id }).lean();
    expect(events.filter((e) => e.action === 'acknowledge')).toHaveLength(1);
    expect(events.filter((e) => e.action.endsWith('.refused'))).toEqual([]);
    expect(threadLines(card.messageId)).toEqual([]);
    expect(slack.api.callsOf('chat.postEphemeral')).toEqual([]);
    expect(slack.api.callsOf('chat.update').map((c) => c.args.ts)).toEqual([card.messageId]);
  });
});
