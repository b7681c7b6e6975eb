import type { DeclaredCommand } from '../../../handlers/commands';
import { usageLine } from '../../../handlers/commands';
import type { CommandEntry } from '../../../handlers/entry-points';
import type { HandlerRegistry } from '../../../handlers/index';
import { t } from '../../../src/i18n/translate';

/**
 * The app manifest schema the package is written for. 1.25 is the version Microsoft's own Teams CLI
 * (`@microsoft/teams.cli`) writes for the bots it uploads, so Teams takes it; newer numbered schemas
 * exist (1.26–1.30 in `@microsoft/app-manifest`) and add nothing a bot needs. Its copy in
 * test/fixtures/teams/ checks every package: moving on means copying that version's schema there too.
 */
export const TEAMS_MANIFEST_VERSION = '1.25';
export const TEAMS_MANIFEST_SCHEMA = `https://developer.microsoft.com/json-schemas/teams/v${TEAMS_MANIFEST_VERSION}/MicrosoftTeams.schema.json`;

/** The icons' file names in the package (beside this file in the repository, at the zip's root). */
export const TEAMS_ICONS = { color: 'color.png', outline: 'outline.png' } as const;

/**
 * Teams' limits on a bot's command menu. The schema is looser (12 commands, titles of 128, 4000 for a
 * description); the Teams documentation and client keep to these, so the manifest does too.
 */
export const COMMAND_MENU_LIMITS = { commands: 10, title: 32, description: 128 } as const;

/** Where a command menu shows: a person's own chat with opsdesk, or a conversation others read. */
export type CommandMenu = 'personal' | 'shared';
type TeamsScope = 'personal' | 'team' | 'groupChat';
const MENU_SCOPES: Record<CommandMenu, TeamsScope[]> = { personal: ['personal'], shared: ['team', 'groupChat'] };

/**
 * The declared commands each menu offers, as a person types them (the Teams bot reads the words
 * without a slash: adapters/teams/message-command.ts), most useful first. Picking one from the menu
 * puts its title in the compose box. In a person's chat: reporting and asking first, then what is
 * theirs and what waits on them. In a channel or group chat, where everyone reads the answer: what a
 * conversation shares (a report, the service status, who is on call, a ticket everyone talks about),
 * not one person's lists.
 */
export const TEAMS_COMMAND_MENUS: Readonly<Record<CommandMenu, readonly string[]>> = {
  personal: ['incident', 'request', 'itsm mine', 'request mine', 'itsm show', 'request approvals', 'itsm queue', 'change', 'oncall', 'itsm help'],
  shared: ['incident', 'itsm status', 'oncall', 'itsm show', 'change', 'change stats', 'request', 'itsm queue', 'itsm help'],
};

/**
 * Declared commands in neither menu, and why. They still work when typed, and `itsm help` (in both
 * menus) lists every command; test/adapters/teams/teams-package.test.ts fails on a declared command
 * that is in no menu and not here.
 */
export const TEAMS_COMMANDS_LEFT_OUT: Readonly<Record<string, string>> = {
  'itsm oncall': 'the same handler as `oncall`, which both menus list',
  'request queue': "fulfilment groups work their tasks from the cards in their group's channel; the personal menu keeps its ten places for what everyone uses",
  'change mine': 'few people raise changes; `change` (in both menus) is how they start one',
  'change approvals': "change approvers are few and their approvals come to them as cards; `request approvals` covers most people's",
};

export interface TeamsDeveloper {
  name: string;
  websiteUrl: string;
  privacyUrl: string;
  termsOfUseUrl: string;
}

export interface TeamsManifestOptions {
  /** The bot's Microsoft app id (the app registration's Application (client) ID): the app's id and the bot's. */
  appId: string;
  /** The app's own version (semver); Teams takes an update only with a higher one. */
  version: string;
  developer: TeamsDeveloper;
  /** The host where opsdesk answers (`https://<host>/api/messages`), for `validDomains`. */
  publicHost?: string | undefined;
}

export interface TeamsCommand {
  title: string;
  description: string;
}

/** The part of the Teams app manifest opsdesk writes (the schema names every field). */
export interface TeamsManifest {
  $schema: string;
  manifestVersion: string;
  version: string;
  id: string;
  developer: TeamsDeveloper;
  name: { short: string; full: string };
  description: { short: string; full: string };
  icons: { color: string; outline: string };
  accentColor: string;
  bots: {
    botId: string;
    scopes: TeamsScope[];
    supportsFiles: boolean;
    isNotificationOnly: boolean;
    commandLists: { scopes: TeamsScope[]; commands: TeamsCommand[] }[];
  }[];
  validDomains: string[];
}

/** A setting the package cannot be built without, or one Teams would refuse: said in one line. */
export class TeamsPackageError extends Error {
  override readonly name = 'TeamsPackageError';
}

/** `itsm mine`: a declared command as a Teams user types it. */
export function teamsCommandTitle(entry: CommandEntry): string {
  return [entry.command, entry.words].filter(Boolean).join(' ');
}

/** Every declared command by the title a Teams user types. */
export function declaredTeamsCommands(registry: HandlerRegistry): Map<string, DeclaredCommand> {
  const byTitle = new Map<string, DeclaredCommand>();
  for (const commands of registry.commands.values()) {
    for (const command of commands) byTitle.set(teamsCommandTitle(command.entry), command);
  }
  return byTitle;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** What the menu says under a command's title: its summary, then how to type its argument. */
function commandDescription(entry: CommandEntry): string {
  const summary = t('en', entry.summary);
  const usage = entry.argument ? ` Usage: ${usageLine(entry).replace(/^\//, '')}` : '';
  return truncate(`${summary}${usage}`, COMMAND_MENU_LIMITS.description);
}

function commandMenu(declared: Map<string, DeclaredCommand>, menu: CommandMenu): TeamsCommand[] {
  const titles = TEAMS_COMMAND_MENUS[menu];
  if (titles.length > COMMAND_MENU_LIMITS.commands) {
    throw new TeamsPackageError(`the ${menu} command menu lists ${titles.length} commands; Teams shows at most ${COMMAND_MENU_LIMITS.commands}`);
  }
  return titles.map((title) => {
    const command = declared.get(title);
    if (!command) throw new TeamsPackageError(`the ${menu} command menu lists "${title}", which no handler declares`);
    // A shortened title would be sent as a command nobody declares: refuse rather than cut it.
    if (title.length > COMMAND_MENU_LIMITS.title) {
      throw new TeamsPackageError(`the command "${title}" is longer than the ${COMMAND_MENU_LIMITS.title} characters Teams allows a menu title`);
    }
    return { title, description: commandDescription(command.entry) };
  });
}

/** The Teams app manifest, from the handlers' declarations (in English, the manifest's language). */
export function teamsManifest(registry: HandlerRegistry, options: TeamsManifestOptions): TeamsManifest {
  const declared = declaredTeamsCommands(registry);
  const menus: CommandMenu[] = ['personal', 'shared'];
  return {
    $schema: TEAMS_MANIFEST_SCHEMA,
    manifestVersion: TEAMS_MANIFEST_VERSION,
    version: options.version,
    id: options.appId,
    developer: options.developer,
    name: { short: 'opsdesk', full: 'opsdesk IT service desk' },
    description: {
      short: 'Report outages, ask for things and work tickets without leaving Teams.',
      full:
        'opsdesk is an IT service desk in Teams. Report an incident, ask for something from the service catalog or ' +
        'request a change, and follow your tickets as cards that change as the work moves on. Support groups acknowledge, ' +
        'assign, hold and resolve incidents from the cards; approvers approve or reject where they read. Type "itsm help" ' +
        'to the bot for every command.',
    },
    icons: { color: TEAMS_ICONS.color, outline: TEAMS_ICONS.outline },
    // The Slack app's background colour (manifest.yml): one colour on every surface.
    accentColor: '#1D3557',
    bots: [
      {
        botId: options.appId,
        scopes: ['personal', 'team', 'groupChat'],
        supportsFiles: false,
        isNotificationOnly: false,
        commandLists: menus.map((menu) => ({ scopes: MENU_SCOPES[menu], commands: commandMenu(declared, menu) })),
      },
    ],
    // Only what opens inside Teams needs its domain here; a bot whose cards link out needs none but its own host.
    validDomains: options.publicHost ? [options.publicHost] : [],
  };
}

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

function httpsUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TeamsPackageError(`${name} is not a URL: expected https://…, got "${value}"`);
  }
  if (url.protocol !== 'https:') throw new TeamsPackageError(`${name} must be an https:// address (Teams takes no other), got "${value}"`);
  return url;
}

/**
 * The manifest's settings from the environment (`npm run teams:package`, docs/teams.md):
 * MICROSOFT_APP_ID (required), OPSDESK_PUBLIC_URL (where opsdesk answers), the developer's name and
 * pages (OPSDESK_TEAMS_DEVELOPER_NAME, OPSDESK_TEAMS_WEBSITE_URL, OPSDESK_TEAMS_PRIVACY_URL,
 * OPSDESK_TEAMS_TERMS_URL; the pages default to OPSDESK_PUBLIC_URL) and OPSDESK_TEAMS_APP_VERSION
 * (default: opsdesk's own version).
 */
export function teamsManifestOptionsFromEnv(env: NodeJS.ProcessEnv, defaultVersion: string): TeamsManifestOptions {
  const value = (name: string) => env[name]?.trim() || undefined;
  const appId = value('MICROSOFT_APP_ID');
  if (!appId) {
    throw new TeamsPackageError(
      "MICROSOFT_APP_ID is not set: the Teams app's id is the bot's Microsoft app id (Azure Bot → Configuration → Microsoft App ID); see docs/teams.md",
    );
  }
  if (!GUID.test(appId)) {
    throw new TeamsPackageError(`MICROSOFT_APP_ID must be the app registration's Application (client) ID, a GUID such as 00000000-0000-0000-0000-000000000000; got "${appId}"`);
  }
  const version = value('OPSDESK_TEAMS_APP_VERSION') ?? defaultVersion;
  if (!SEMVER.test(version)) throw new TeamsPackageError(`OPSDESK_TEAMS_APP_VERSION must be a version such as 1.0.0 (Teams wants major.minor.patch); got "${version}"`);

  const publicUrl = value('OPSDESK_PUBLIC_URL');
  const publicHost = publicUrl ? httpsUrl('OPSDESK_PUBLIC_URL', publicUrl).hostname : undefined;
  const page = (name: string) => {
    const url = value(name) ?? publicUrl;
    if (!url) {
      throw new TeamsPackageError(`${name} is not set, nor OPSDESK_PUBLIC_URL to default it to: Teams requires the developer's website, privacy and terms-of-use pages (https://…)`);
    }
    return httpsUrl(value(name) ? name : 'OPSDESK_PUBLIC_URL', url).href;
  };
  const developerName = value('OPSDESK_TEAMS_DEVELOPER_NAME') ?? 'opsdesk';
  if (developerName.length > 32) throw new TeamsPackageError(`OPSDESK_TEAMS_DEVELOPER_NAME is longer than the 32 characters Teams allows: "${developerName}"`);
  return {
    appId,
    version,
    publicHost,
    developer: {
      name: developerName,
      websiteUrl: page('OPSDESK_TEAMS_WEBSITE_URL'),
      privacyUrl: page('OPSDESK_TEAMS_PRIVACY_URL'),
      termsOfUseUrl: page('OPSDESK_TEAMS_TERMS_URL'),
    },
  };
}
