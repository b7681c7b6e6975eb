import type { HandlerRegistry } from '../../../handlers/index';
import type { SlackRoutes } from '../http/slack-request-gate';
import { SLACK_EVENTS } from '../slack-ids';

/** Every id the listeners answer, from the handlers' declarations, so that a request nobody answers is told so at once. */
export function slackRoutes(registry: HandlerRegistry): SlackRoutes {
  const shortcuts = registry.shortcuts();
  return {
    commands: new Set([...registry.commands.keys()].map((name) => `/${name}`)),
    actions: new Set(registry.idsWith('card')),
    submissions: new Set(registry.idsWith('form')),
    options: new Set(registry.idsWith('suggest')),
    messageShortcuts: new Set(shortcuts.filter((s) => s.shortcut.on === 'message').map((s) => s.shortcut.id)),
    globalShortcuts: new Set(shortcuts.filter((s) => s.shortcut.on === 'global').map((s) => s.shortcut.id)),
    events: new Set(Object.values(SLACK_EVENTS)),
  };
}
