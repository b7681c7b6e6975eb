import { z } from 'zod';
import { resolveCommand } from '../../handlers/commands';
import { dispatchInteraction } from '../../handlers/dispatch';
import type { Interaction } from '../../handlers/entry-points';
import type { App } from '../../src/app';
import { t } from '../../src/i18n/translate';
import type { Actor } from '../../src/people/people-directory';
import type { View } from '../../src/views/view-model';

const text = (max: number) => z.string().max(max);
const formValues = z.record(text(100), z.union([text(3000), z.array(text(300)).max(100)]));
/** The page's id of this act: the same id sent again (a retry after a lost answer) does it once. */
const requestKey = z.string().regex(/^[A-Za-z0-9_-]{8,100}$/, 'expected the act\'s id: 8 to 100 letters, digits, _ or -');
const entry = z.string().regex(/^[a-z][a-z0-9._-]{0,99}$/, 'expected a handler id');

/** What the console's page sends, one shape per kind of act. */
export const webActSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('command'), text: text(3000), requestKey }),
  z.object({
    kind: z.literal('action'),
    entry,
    recordId: text(100).optional(),
    cardVersion: z.number().int().min(0).optional(),
    value: text(300).optional(),
    form: formValues.optional(),
    requestKey,
  }),
  z.object({ kind: z.literal('submit'), entry, recordId: text(100).optional(), form: formValues, requestKey }),
  z.object({ kind: z.literal('suggest'), entry, query: text(300), form: formValues.optional() }),
]);
export type WebAct = z.infer<typeof webActSchema>;

/** Which declared entry point each kind of act must reach. */
const ENTRY_KIND = { action: 'card', submit: 'form', suggest: 'suggest' } as const;

export type WebAnswer = { status: 200; views: View[] } | { status: 400; error: string };

/** The interaction an act stands for, or why it is refused. */
function interactionOf(app: App, act: WebAct, locale: Actor['locale']): Omit<Interaction, 'platform'> | { views: View[] } | { error: string } {
  const { registry } = app;
  if (act.kind === 'command') {
    const typed = act.text.trim();
    if (!typed.startsWith('/')) return { views: [{ kind: 'notice', tone: 'info', text: t(locale, 'web.notACommand') }] };
    const [command = '', ...rest] = typed.split(/\s+/);
    const resolved = resolveCommand(registry.commands, command, rest.join(' '));
    if (!resolved) return { views: [{ kind: 'notice', tone: 'error', text: t(locale, 'web.unknownCommand', { command }) }] };
    return { ...resolved, requestKey: act.requestKey };
  }
  const handler = registry.get(act.entry);
  if (!handler?.entry?.[ENTRY_KIND[act.kind]]) return { error: `${act.entry} is not a ${ENTRY_KIND[act.kind]} entry point` };
  if (act.kind === 'suggest') return { entry: act.entry, query: act.query, ...(act.form ? { form: act.form } : {}) };
  return {
    entry: act.entry,
    requestKey: act.requestKey,
    ...(act.recordId !== undefined ? { recordId: act.recordId } : {}),
    ...(act.kind === 'action' && act.cardVersion !== undefined ? { cardVersion: act.cardVersion } : {}),
    ...(act.kind === 'action' && act.value !== undefined ? { value: act.value } : {}),
    ...(act.form ? { form: act.form } : {}),
  };
}

/**
 * Runs a person's act as every platform does (the declared handler, authorised there), then
 * stores what it announces in the outbox before answering: once the page has its answer, nothing
 * of it can be lost. Tracked, so that a stopping process finishes it first.
 */
export function runWebAct(app: App, actor: Actor, act: WebAct): Promise<WebAnswer> {
  return app.work.run(async () => {
    const interaction = interactionOf(app, act, actor.locale);
    if ('error' in interaction) return { status: 400, error: interaction.error };
    if ('views' in interaction) return { status: 200, views: interaction.views };
    const result = await dispatchInteraction(app.ctx, app.registry, app.log, actor, { ...interaction, platform: 'web' });
    if (result.announcements.length > 0) await app.jobs.notifier.announce(result.announcements);
    return { status: 200, views: result.views };
  });
}
