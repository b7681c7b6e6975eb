import { parentPort, workerData } from 'node:worker_threads';
import { inWorker } from './in-worker';
import { INCIDENT_IDS } from '../src/views/incident-actions';
import { slackFixture, slashCommandBody } from '../test/support/slack/fixtures';
import { buttonClick, reportSubmission, reportValues } from '../test/support/slack/payloads';
import { interactionBody, postToSlackEndpoint } from '../test/support/slack/signed-request';

export interface SoakPlan {
  url: string;
  ratePerSecond: number;
  seconds: number;
  /** Slack user ids: employees, and agents (who click and read the queue). */
  employees: string[];
  agents: string[];
  /** Channels people mention the app in. */
  channels: string[];
  /** Open incidents the agent's clicks and the mentions name. */
  incidents: string[];
  /** Where Slack would have the reply posted (the recording API). */
  responseUrl: string;
}

export interface SoakResult {
  sent: number;
  /** Answered 200 within Slack's 3 s, and taken in. */
  acknowledgedInTime: number;
  /** Turned away at once as busy (the person told to try again; an event answered 503 for Slack to resend). */
  turnedAway: number;
  failures: number;
  latencies: number[];
  byKind: Record<string, { sent: number; failed: number }>;
  /** The view ids of the reports answered 200 (each must become an incident). */
  reports: string[];
  /** Per minute of sending: requests sent, turned away, answered late (after 3 s) or failed, and the p99 acknowledgement. */
  minutes: MinuteTally[];
}

export interface MinuteTally {
  sent: number;
  turnedAway: number;
  late: number;
  failed: number;
  latencies: number[];
}

/** The mix seen in use: what share of requests is which. */
const MIX: [kind: string, share: number][] = [
  ['report', 20],
  ['click', 20],
  ['itsm', 25],
  ['oncall', 10],
  ['mention', 15],
  ['home', 10],
];
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

export function kindOf(i: number): string {
  let point = (i * 37) % 100;
  for (const [kind, share] of MIX) {
    if (point < share) return kind;
    point -= share;
  }
  return 'itsm';
}

export function soakRequest(plan: SoakPlan, i: number): { kind: string; body: string; contentType: string; viewId?: string } {
  const kind = kindOf(i);
  const incident = plan.incidents[(i * 7919) % plan.incidents.length] as string;
  const employee = plan.employees[(i * 31) % plan.employees.length] as string;
  const agent = plan.agents[i % plan.agents.length] as string;
  switch (kind) {
    case 'report': {
      const viewId = `VSOAK${i}`;
      return { kind, viewId, contentType: FORM, body: interactionBody(reportSubmission(viewId, reportValues(`Soak report ${i}`), employee)) };
    }
    case 'click': {
      // Agents take incidents (of their group, or over from another): a change each time.
      const click = buttonClick(INCIDENT_IDS.assignToMe, incident, agent);
      click.response_url = plan.responseUrl;
      return { kind, contentType: FORM, body: interactionBody(click) };
    }
    case 'itsm': {
      const words = ['mine', 'queue', 'status'][i % 3] as string;
      const user = words === 'queue' ? agent : employee;
      return { kind, contentType: FORM, body: slashCommandBody('/itsm', words, { user_id: user, response_url: plan.responseUrl }) };
    }
    case 'oncall':
      return { kind, contentType: FORM, body: slashCommandBody('/oncall', '', { user_id: employee, response_url: plan.responseUrl }) };
    case 'mention': {
      const event = slackFixture('event_app_mention.json');
      event.event_id = `EvSOAK${i}`;
      event.event.user = employee;
      event.event.channel = plan.channels[i % plan.channels.length];
      event.event.text = `<@U00FAKEBOT1> what is happening with ${incident}?`;
      event.event.ts = event.event.event_ts = `${1_700_000_000 + i}.000100`;
      return { kind, contentType: JSON_TYPE, body: JSON.stringify(event) };
    }
    default: {
      const event = slackFixture('event_app_home_opened.json');
      event.event_id = `EvSOAKHOME${i}`;
      event.event.user = i % 2 ? agent : employee;
      return { kind, contentType: JSON_TYPE, body: JSON.stringify(event) };
    }
  }
}

/**
 * Sends the soak's requests from a worker thread (not the measured process's event loop), open
 * loop: a request leaves every 1/rate s whatever earlier ones do. Bodies are made as they go.
 */
export function runSoakTraffic(plan: SoakPlan): Promise<SoakResult> {
  return inWorker<SoakResult>(__filename, plan);
}

async function generate(plan: SoakPlan): Promise<SoakResult> {
  const result: SoakResult = { sent: 0, acknowledgedInTime: 0, turnedAway: 0, failures: 0, latencies: [], byKind: {}, reports: [], minutes: [] };
  const pending = new Set<Promise<void>>();
  const started = performance.now();
  const total = Math.round(plan.ratePerSecond * plan.seconds);
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / plan.ratePerSecond - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const { kind, body, contentType, viewId } = soakRequest(plan, i);
    const tally = (result.byKind[kind] ??= { sent: 0, failed: 0 });
    tally.sent++;
    result.sent++;
    const minute = (result.minutes[Math.floor(i / (plan.ratePerSecond * 60))] ??= { sent: 0, turnedAway: 0, late: 0, failed: 0, latencies: [] });
    minute.sent++;
    const sending: Promise<void> = postToSlackEndpoint(plan.url, { body, contentType })
      .then(
        (r) => {
          result.latencies.push(r.ms);
          minute.latencies.push(r.ms);
          if (r.status === 503 || (r.status === 200 && r.text.includes('opsdesk is busy'))) {
            result.turnedAway++;
            minute.turnedAway++;
            return;
          }
          if (r.status === 200 && r.ms <= 3000) result.acknowledgedInTime++;
          else if (r.status === 200) minute.late++;
          if (r.status !== 200) {
            result.failures++;
            tally.failed++;
            minute.failed++;
          } else if (viewId) result.reports.push(viewId);
        },
        () => {
          result.failures++;
          tally.failed++;
          minute.failed++;
        },
      )
      .finally(() => pending.delete(sending));
    pending.add(sending);
  }
  await Promise.all(pending);
  return result;
}

if (parentPort && workerData) {
  void generate(workerData as SoakPlan).then((result) => parentPort?.postMessage(result));
}
