import { resolveCommand, type DeclaredCommand } from '../../handlers/commands';
import type { Interaction } from '../../handlers/entry-points';

/** The command word every sub-command belongs to (`itsm mine`), for the bare word (`mine`). */
const ITSM = 'itsm';

/** The text of a message without the bot's mention (`<at>opsdesk</at> incident …`) and markup. */
export function messageText(text: string | undefined): string {
  return (text ?? '')
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A typed command, written as Teams users write it: without the slash (`incident mail is down`),
 * with it, or a sub-command's word alone (`mine` → `itsm mine`). Parsed as `<command> <rest>`.
 */
export function commandOf(commands: ReadonlyMap<string, readonly DeclaredCommand[]>, text: string): Pick<Interaction, 'entry' | 'argument' | 'form'> | undefined {
  const typed = text.replace(/^\//, '').trim();
  const [first = '', ...rest] = typed.split(' ');
  const word = first.toLowerCase();
  if (commands.has(word)) return resolveCommand(commands, word, rest.join(' '));
  const itsmWords = (commands.get(ITSM) ?? []).map((c) => c.entry.words);
  if (itsmWords.includes(word)) return resolveCommand(commands, ITSM, typed);
  return undefined;
}
