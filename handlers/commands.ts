import type { CommandEntry, Interaction } from './entry-points';
import type { HandlerDeclaration } from './handler';

/** One declared command with the handler it runs. */
export interface DeclaredCommand {
  handlerId: string;
  entry: CommandEntry;
}

/** Every declared command, grouped by its top-level command, in declaration order. */
export function declaredCommands(handlers: readonly HandlerDeclaration[]): Map<string, DeclaredCommand[]> {
  const byCommand = new Map<string, DeclaredCommand[]>();
  for (const handler of handlers) {
    for (const entry of handler.entry?.commands ?? []) {
      const list = byCommand.get(entry.command) ?? [];
      list.push({ handlerId: handler.id, entry });
      byCommand.set(entry.command, list);
    }
  }
  return byCommand;
}

/** `/itsm show INC0001001` as the help and the platforms' command lists write it. */
export function usageLine(entry: CommandEntry): string {
  const argument = entry.argument ? (entry.argument.optional ? `[${entry.argument.usage}]` : entry.argument.usage) : '';
  return [`/${entry.command}`, entry.words, argument].filter(Boolean).join(' ');
}

/** What follows the command in a platform's command list: the sub-commands, or the argument. */
export function usageHint(commands: readonly DeclaredCommand[]): string {
  const afterCommand = (c: DeclaredCommand) => usageLine(c.entry).split(' ').slice(1).join(' ');
  const withWords = commands.filter((c) => c.entry.words);
  if (withWords.length === 0) return commands[0] ? afterCommand(commands[0]) : '';
  // The command itself, when it also does something (`/request [what you need]`), comes first.
  const root = commands.find((c) => c.entry.words === undefined && !c.entry.fallback && c.entry.argument);
  return [...(root ? [root] : []), ...withWords].map(afterCommand).join(' | ');
}

/**
 * The handler and interaction a typed command stands for: its sub-command word when one is
 * declared, else the command itself with all the text as its argument, else its fallback (help).
 */
export function resolveCommand(
  commands: ReadonlyMap<string, readonly DeclaredCommand[]>,
  command: string,
  text: string,
): Pick<Interaction, 'entry' | 'argument' | 'form'> | undefined {
  const declared = commands.get(command.replace(/^\//, ''));
  if (!declared) return undefined;
  const [first = '', ...rest] = text.trim().split(/\s+/).filter(Boolean);
  const byWord = declared.find((c) => c.entry.words !== undefined && c.entry.words === first.toLowerCase());
  const root = declared.find((c) => c.entry.words === undefined);
  const chosen = byWord ?? root ?? declared.find((c) => c.entry.fallback);
  if (!chosen) return undefined;
  const argument = byWord ? rest.join(' ') : chosen === root ? text.trim() : '';
  const field = chosen.entry.argument?.field;
  return { entry: chosen.handlerId, ...(argument ? { argument } : {}), ...(field && argument ? { form: { [field]: argument } } : {}) };
}
