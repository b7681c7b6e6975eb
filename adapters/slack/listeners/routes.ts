import type { SlackRoutes } from '../http/slack-request-gate';
import { SLACK_COMMANDS, SLACK_EVENTS, SLACK_OPTION_SOURCES, SLACK_SHORTCUTS } from '../slack-ids';
import { SLACK_ACTION_IDS } from './actions';
import { SLACK_SUBMISSIONS } from './views';

/** Every id the listeners answer, so that a request nobody answers is told so at once. */
export const SLACK_ROUTES: SlackRoutes = {
  commands: new Set(Object.values(SLACK_COMMANDS)),
  actions: new Set(SLACK_ACTION_IDS),
  submissions: new Set(SLACK_SUBMISSIONS),
  options: new Set(Object.values(SLACK_OPTION_SOURCES)),
  messageShortcuts: new Set([SLACK_SHORTCUTS.reportMessage]),
  globalShortcuts: new Set([SLACK_SHORTCUTS.reportIncident]),
  events: new Set(Object.values(SLACK_EVENTS)),
};
