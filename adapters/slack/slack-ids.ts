/**
 * The events the app subscribes to (manifest.yml lists the same). Commands, shortcuts, buttons,
 * forms and type-aheads come from the handlers' declarations.
 */
export const SLACK_EVENTS = {
  homeOpened: 'app_home_opened',
  mention: 'app_mention',
  uninstalled: 'app_uninstalled',
  tokensRevoked: 'tokens_revoked',
} as const;
