import type { Database } from '../../../src/db/connect';
import type { IncidentDoc } from '../../../src/models/incident.model';
import { INCIDENT_IDS } from '../../../src/views/incident-actions';
import type { RecordedCall } from '../../support/slack/recording-slack-api';
import { dropTestDatabase, openTestDatabase } from '../../support/test-database';
import { slackFixture, slashCommandBody } from '../../support/slack/fixtures';
import { buttonClick, reportSubmission, reportValues } from '../../support/slack/payloads';
import { SLACK_USERS, eventually, startSlackHarness, type SlackHarness } from '../../support/slack/slack-harness';
import { interactionBody, postToSlackEndpoint } from '../../support/slack/signed-request';

const FORM = 'application/x-www-form-urlencoded' as const;
const ANSWERS = ['response_url', 'views.open', 'views.publish', 'chat.postEphemeral', 'chat.postMessage'];

/** Every way a person reaches opsdesk on Slack, as that person; each must get an answer. */
function entryPoints(slack: SlackHarness, user: string, incident: string): [string, () => { body: string; contentType: typeof FORM | 'application/json' }][] {
  const command = (name: string, text: string) => () => ({ body: slashCommandBody(name, text, { user_id: user, response_url: slack.api.responseUrl() }), contentType: FORM });
  const click = (action: string, value?: string) => () => ({ body: interactionBody(buttonClick(action, incident, user, undefined, value)), contentType: FORM });
  const event = (fixture: string, change: (e: any) => void) => () => {
    const payload = slackFixture(fixture);
    payload.event_id = `Ev-${Math.random().toString(36).slice(2)}`;
    payload.event.user = user;
    change(payload.event);
    return { body: JSON.stringify(payload), contentType: 'application/json' as const };
  };
  const shortcut = (fixture: string, callbackId: string) => () => {
    const payload = slackFixture(fixture);
    payload.callback_id = callbackId;
    payload.user = { id: user };
    payload.trigger_id = `${callbackId}.${Math.random()}`;
    return { body: interactionBody(payload), contentType: FORM };
  };
  return [
    ['/incident', command('/incident', 'my laptop is broken')],
    ['/itsm mine', command('/itsm', 'mine')],
    ['/itsm queue', command('/itsm', 'queue')],
    ['/itsm status', command('/itsm', 'status')],
    ['/itsm show', command('/itsm', `show ${incident}`)],
    ['/itsm help', command('/itsm', 'help')],
    ['/oncall', command('/oncall', '')],
    ['Acknowledge', click(INCIDENT_IDS.ack)],
    ['Assign to me', click(INCIDENT_IDS.assignToMe)],
    ['Resume', click(INCIDENT_IDS.resume)],
    ['Close', click(INCIDENT_IDS.close)],
    ['priority menu', click(INCIDENT_IDS.priority, 'high:high')],
    ['Resolve (form)', click(INCIDENT_IDS.resolveForm)],
    ['Hold (form)', click(INCIDENT_IDS.holdForm)],
    ['Reopen (form)', click(INCIDENT_IDS.reopenForm)],
    ['mention', event('event_app_mention.json', (e) => (e.text = `<@U00FAKEBOT1> ${incident}?`))],
    ['App Home', event('event_app_home_opened.json', () => undefined)],
    ['Report as incident', shortcut('message_action.json', 'report_message_as_incident')],
    ['Report an incident', shortcut('shortcut_global.json', 'report_incident')],
  ];
}

const ENTRY_POINT_NAMES = [
  '/incident', '/itsm mine', '/itsm queue', '/itsm status', '/itsm show', '/itsm help', '/oncall', 'Acknowledge', 'Assign to me', 'Resume',
  'Close', 'priority menu', 'Resolve (form)', 'Hold (form)', 'Reopen (form)', 'mention', 'App Home', 'Report as incident', 'Report an incident',
];

describe('People opsdesk does not know yet are served at every entry point', () => {
  let database: Database;
  let slack: SlackHarness;
  let incident: IncidentDoc;

  beforeAll(async () => {
    database = await openTestDatabase('slack_strangers');
    slack = await startSlackHarness(database);
    await postToSlackEndpoint(slack.url, { body: interactionBody(reportSubmission('V-STRANGERS', reportValues('Badge reader broken'))), contentType: FORM });
    await eventually(async () => (await database.models.Incident.countDocuments({ dedupeKey: 'slack:view:V-STRANGERS' })) === 1);
    incident = (await database.models.Incident.findOne({ dedupeKey: 'slack:view:V-STRANGERS' }).lean<IncidentDoc>())!;
    await eventually(() => slack.api.callsOf('chat.postEphemeral').length === 1);
  });
  afterAll(async () => {
    await slack.close();
    await dropTestDatabase(database);
  });
  beforeEach(() => slack.api.clear());

  const strangers = [
    ['a new employee (known to Slack, in no configuration)', SLACK_USERS.newcomer.id],
    ['a user Slack cannot describe (users.info fails)', 'U00FAKEGONE'],
  ] as const;

  describe.each(strangers)('%s', (_who, user) => {
    it.each(ENTRY_POINT_NAMES)('%s: answered, never with an error id', async (name) => {
      const request = new Map(entryPoints(slack, user, incident._id)).get(name)!;
      const auditedBefore = await database.models.AuditEvent.countDocuments({ recordId: incident._id, action: { $not: /refused/ } });
      const response = await postToSlackEndpoint(slack.url, request());
      expect(response.status).toBe(200);
      // The request's work is over (not just its first answer out): every answer it gave is here.
      await slack.idle();
      const answers: RecordedCall[] = slack.api.calls.filter((c) => ANSWERS.includes(c.method));
      expect(answers.length).toBeGreaterThan(0);
      expect(answers.map((a) => JSON.stringify(a.args)).filter((a) => /error id/.test(a))).toEqual([]);
      // Nothing a stranger clicks changes the incident.
      expect(await database.models.AuditEvent.countDocuments({ recordId: incident._id, action: { $not: /refused/ } })).toBe(auditedBefore);
    });

    it('can report an incident, and is its requester', async () => {
      const viewId = `V-STRANGER-${user}`;
      await postToSlackEndpoint(slack.url, { body: interactionBody(reportSubmission(viewId, reportValues('My account is locked'), user)), contentType: FORM });
      await eventually(async () => (await database.models.Incident.countDocuments({ dedupeKey: `slack:view:${viewId}` })) === 1);
      await eventually(() => slack.api.callsOf('chat.postEphemeral').some((c) => String(c.args.text).includes('is open')));
      const reported = await database.models.Incident.findOne({ dedupeKey: `slack:view:${viewId}` }).lean<IncidentDoc>();
      const requester = await database.models.Person.findById(reported!.requesterId).lean();
      // Whoever they are, the record's requester is a stored person who can be reached on Slack.
      expect(requester?.identities).toEqual([{ platform: 'slack', id: user }]);
    });
  });

  it('stores the new employee once, with no roles or groups; no identity record for the user Slack could not describe (asked again next time)', async () => {
    const newcomer = await database.models.Person.findById('email:noa.newcomer@example.com').lean();
    expect(newcomer).toMatchObject({ name: 'Noa Newcomer', identities: [{ platform: 'slack', id: SLACK_USERS.newcomer.id }] });
    expect(newcomer?.roles ?? []).toEqual([]);
    expect(await database.models.PlatformIdentity.countDocuments({ _id: 'slack:U00FAKEGONE' })).toBe(0);
    expect(slack.logs.some((l) => l.identity === 'slack:U00FAKEGONE' && String(l.msg).includes('could not describe'))).toBe(true);
  });
});
