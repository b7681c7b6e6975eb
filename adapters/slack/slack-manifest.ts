import { usageHint } from '../../handlers/commands';
import type { HandlerRegistry } from '../../handlers/index';
import { t } from '../../src/i18n/translate';
import { LIMITS, truncate } from './render/block-kit-limits';

/** Slack's limits on a manifest's command and shortcut texts. */
const MANIFEST_LIMITS = { commandDescription: 100, usageHint: 100, shortcutName: 24, shortcutDescription: 150 } as const;

export interface ManifestCommand {
  command: string;
  description: string;
  usage_hint: string;
}

export interface ManifestShortcut {
  name: string;
  type: 'message' | 'global';
  callback_id: string;
  description: string;
}

/**
 * The slash commands and shortcuts manifest.yml must declare, from the handlers' declarations
 * (in English, the manifest's language). The request URLs are the deployment's own.
 */
export function manifestEntries(registry: HandlerRegistry): { slash_commands: ManifestCommand[]; shortcuts: ManifestShortcut[] } {
  const slash_commands = [...registry.commands].map(([name, commands]) => {
    const summary = commands.find((c) => c.entry.commandSummary)?.entry.commandSummary;
    return {
      command: `/${name}`,
      description: truncate(summary ? t('en', summary) : name, MANIFEST_LIMITS.commandDescription),
      usage_hint: truncate(usageHint(commands), MANIFEST_LIMITS.usageHint),
    };
  });
  const shortcuts = registry.shortcuts().map(({ shortcut }) => ({
    name: truncate(t('en', shortcut.name), MANIFEST_LIMITS.shortcutName),
    type: shortcut.on,
    callback_id: shortcut.id,
    description: truncate(t('en', shortcut.summary), Math.min(MANIFEST_LIMITS.shortcutDescription, LIMITS.fallbackText)),
  }));
  return { slash_commands, shortcuts };
}
