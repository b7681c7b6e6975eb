import type { TurnContext } from 'botbuilder';
import { dispatchInteraction } from '../../../handlers/dispatch';
import type { Interaction } from '../../../handlers/entry-points';
import { t } from '../../../src/i18n/translate';
import type { Actor } from '../../../src/people/people-directory';
import type { View } from '../../../src/views/view-model';
import { commandOf, messageText } from '../message-command';
import type { ActionData } from '../render/action-data';
import { renderAttachments, summaryText } from '../render/render-views';
import { teamsActor } from '../teams-actor';
import { failureText, firstDelivery, requestKeyOf, type TeamsDeps, releaseDelivery } from '../teams-context';

/** How many tickets one message shows at most. */
const SHOWN_LIMIT = 5;

function isPersonal(context: TurnContext): boolean {
  const { conversation } = context.activity;
  return conversation.conversationType === 'personal' || (!conversation.conversationType && !conversation.isGroup);
}

function mentionsBot(context: TurnContext): boolean {
  const { activity } = context;
  return (activity.entities ?? []).some((e) => e.type === 'mention' && (e as { mentioned?: { id?: string } }).mentioned?.id === activity.recipient?.id);
}

/** The record numbers in a message, in the order written, each once, with the handler that shows it. */
function numbersIn(deps: TeamsDeps, text: string): { entry: string; recordId: string }[] {
  const found = deps.opsdesk.registry
    .showers()
    .flatMap(({ handlerId, pattern }) => [...text.matchAll(new RegExp(pattern.source, 'g'))].map((m) => ({ entry: handlerId, recordId: m[0], at: m.index ?? 0 })));
  const seen = new Set<string>();
  return found
    .sort((a, b) => a.at - b.at)
    .filter((f) => !seen.has(f.recordId) && seen.add(f.recordId))
    .slice(0, SHOWN_LIMIT)
    .map(({ entry, recordId }) => ({ entry, recordId }));
}

/** What the message asks: a command; else the tickets it names; else the help. */
async function answer(deps: TeamsDeps, context: TurnContext, actor: Actor): Promise<{ views: View[]; opener?: ActionData['opener'] }> {
  const { opsdesk } = deps;
  const text = messageText(context.activity.text);
  const requestKey = requestKeyOf(context);
  const run = async (interaction: Omit<Interaction, 'platform'>) => {
    const result = await dispatchInteraction(opsdesk.ctx, opsdesk.registry, opsdesk.log, actor, { ...interaction, platform: 'teams' });
    if (result.announcements.length > 0) await opsdesk.jobs.notifier.announce(result.announcements);
    return result.views;
  };
  const command = commandOf(opsdesk.registry.commands, text);
  if (command) {
    const opener = { entry: command.entry, ...(command.argument ? { argument: command.argument } : {}) };
    return { views: await run({ ...command, requestKey }), opener };
  }
  const numbers = numbersIn(deps, text);
  if (numbers.length > 0) {
    const views: View[] = [];
    // Shown where others read it (a channel): what anyone may know.
    for (const shown of numbers) views.push(...(await run({ ...shown, ...(isPersonal(context) ? {} : { public: true }) })));
    return { views };
  }
  const help = commandOf(opsdesk.registry.commands, 'itsm help');
  const views = help ? await run(help) : [];
  return { views: [{ kind: 'notice', tone: 'info', text: t(actor.locale, 'teams.notACommand') }, ...views] };
}

/**
 * A message: in a personal chat always, elsewhere when the bot is mentioned. Done once per activity
 * (a resend does nothing); what it announces is stored in the outbox, then the answer is posted as
 * a reply of Adaptive Cards.
 */
export async function onMessage(deps: TeamsDeps, context: TurnContext): Promise<void> {
  if (!isPersonal(context) && !mentionsBot(context)) return;
  if (!(await firstDelivery(deps, context))) return;
  try {
    const actor = await teamsActor(deps.opsdesk, context);
    const { views, opener } = await answer(deps, context, actor);
    const viewer = { locale: actor.locale, timeZone: actor.timeZone, refreshUserIds: [context.activity.from.id] };
    await context.sendActivity({ type: 'message', text: summaryText(views), attachments: renderAttachments(views, viewer, deps.refreshVerbOf, opener) });
  } catch (error) {
    await releaseDelivery(deps, context);
    await context.sendActivity(failureText(deps, error, { requestKey: requestKeyOf(context) }));
  }
}
