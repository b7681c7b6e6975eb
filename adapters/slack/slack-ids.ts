/** Every slash command, shortcut and callback id the Slack app declares (manifest.yml lists the same). */
export const SLACK_COMMANDS = {
  incident: '/incident',
  itsm: '/itsm',
  oncall: '/oncall',
} as const;

export const SLACK_SHORTCUTS = {
  reportMessage: 'report_message_as_incident',
  reportIncident: 'report_incident',
} as const;

/** The events the app subscribes to. */
export const SLACK_EVENTS = {
  homeOpened: 'app_home_opened',
  mention: 'app_mention',
  uninstalled: 'app_uninstalled',
  tokensRevoked: 'tokens_revoked',
} as const;

/** Interactive elements whose options Slack asks us for while the person types. */
export const SLACK_OPTION_SOURCES = {
  configurationItem: 'configurationItem',
} as const;
