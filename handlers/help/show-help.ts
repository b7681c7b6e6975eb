import { z } from 'zod';
import { t } from '../../src/i18n/translate';
import { declaredCommands, usageLine } from '../commands';
import { defineHandler, result, type HandlerDeclaration } from '../handler';

export const HELP_IDS = { show: 'help.show' } as const;

/** The commands every handler declares, with what each does, in the reader's language. */
export const showHelp = (declarations: () => readonly HandlerDeclaration[]) =>
  defineHandler({
    id: HELP_IDS.show,
    description: 'The list of commands.',
    entry: { commands: [{ command: 'itsm', words: 'help', summary: 'help.itsm.help', commandSummary: 'command.itsm', fallback: true }] },
    input: z.object({}),
    async run(_ctx, actor) {
      const fields = [...declaredCommands(declarations()).values()].flat().map(({ entry }) => ({
        label: usageLine(entry),
        value: t(actor.locale, entry.summary),
      }));
      return result([{ kind: 'card', title: t(actor.locale, 'help.title'), fields, actions: [] }]);
    },
  });
