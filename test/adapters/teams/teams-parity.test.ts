import type { TurnContext } from 'botbuilder';
import { z } from 'zod';
import { HANDLERS, HandlerRegistry } from '../../../handlers/index';
import type { HandlerDeclaration } from '../../../handlers/handler';
import type { App } from '../../../src/app';
import { slackRoutes } from '../../../adapters/slack/listeners/routes';
import { commandOf, messageText } from '../../../adapters/teams/message-command';
import { onCardAction } from '../../../adapters/teams/listeners/card-action';
import { onSearch } from '../../../adapters/teams/listeners/search';
import { renderCard } from '../../../adapters/teams/render/render-card';
import { renderForm } from '../../../adapters/teams/render/render-form';
import { TEAMS_INVOKES } from '../../../adapters/teams/teams-app';

/** Thrown by the stand-in people directory: the listener took the verb (or dataset) and went on to find the person. */
const ACCEPTED = new Error('accepted: the listener went on to find who acted');

/** Just enough of opsdesk for a Teams listener to decide whether it takes an activity: the declarations, and a directory that stops it there. */
function teamsSide(registry: HandlerRegistry): App {
  const stop = () => Promise.reject(ACCEPTED);
  return { registry, ctx: { people: { actorFor: stop, actorIfKnown: stop } } } as unknown as App;
}

/** An invoke as the Teams client sends it, answered into `answers` (the invoke response botbuilder returns). */
function invoke(name: string, value: unknown, answers: unknown[]): TurnContext {
  const activity = {
    type: 'invoke',
    name,
    id: 'f:parity',
    channelId: 'msteams',
    serviceUrl: 'https://smba.trafficmanager.net/amer/',
    from: { id: '29:parity', aadObjectId: '00000000-0000-4000-8000-000000000001' },
    recipient: { id: '28:bot' },
    conversation: { id: 'a:parity', conversationType: 'personal', tenantId: 'tenant' },
    channelData: { tenant: { id: 'tenant' } },
    value,
  };
  return { activity, sendActivity: async (sent: unknown) => (answers.push(sent), { id: 'answer' }) } as unknown as TurnContext;
}

/** True when the listener takes it; false when it answers it is none of its (400). */
async function accepted(listen: (deps: { opsdesk: App; refreshVerbOf: () => undefined }, context: TurnContext) => Promise<unknown>, app: App, context: TurnContext): Promise<boolean> {
  try {
    await listen({ opsdesk: app, refreshVerbOf: () => undefined }, context);
    return false;
  } catch (error) {
    if (error === ACCEPTED) return true;
    throw error;
  }
}

/** How a person types the command in Teams: without the slash, the bot mentioned (in a channel), the argument filled. */
const typed = (command: string, words: string | undefined, argument: boolean) => `<at>opsdesk</at> ${[command, words, argument ? 'printer jammed' : ''].filter(Boolean).join(' ')}`;

/**
 * Every entry point Slack reaches from the declarations (its request gate's routes: commands,
 * card actions, form submissions, type-aheads), each checked on the Teams side: a command
 * resolves through the Teams message parser to its handler, a card action's or a form's id is
 * taken as an Action.Execute verb by the card-action listener (and is the verb the renderer
 * draws), a type-ahead is taken as a search dataset (and is the dataset the form names).
 * Returns what Teams does not reach.
 */
async function unreachableOnTeams(declared: HandlerRegistry, teams: App): Promise<string[]> {
  const slack = slackRoutes(declared);
  const missing: string[] = [];

  for (const [command, list] of declared.commands) {
    expect(slack.commands.has(`/${command}`)).toBe(true);
    for (const { handlerId, entry } of list) {
      const resolved = commandOf(teams.registry.commands, messageText(typed(entry.command, entry.words, Boolean(entry.argument))));
      if (resolved?.entry !== handlerId) missing.push(`command ${[entry.command, entry.words].filter(Boolean).join(' ')} → ${handlerId}`);
      // A sub-command of /itsm is also typed alone (`mine`).
      if (entry.command === 'itsm' && entry.words && commandOf(teams.registry.commands, entry.words)?.entry !== handlerId) missing.push(`command ${entry.words} (alone) → ${handlerId}`);
    }
  }

  const verbs = [...[...slack.actions].map((id) => ['card action', id] as const), ...[...slack.submissions].map((id) => ['form', id] as const)];
  for (const [kind, id] of verbs) {
    const answers: unknown[] = [];
    const context = invoke(TEAMS_INVOKES.cardAction, { action: { type: 'Action.Execute', verb: id, data: { recordId: 'INC0000001' } }, trigger: 'manual' }, answers);
    if (!(await accepted(onCardAction, teams, context))) missing.push(`${kind} ${id}`);
    // What the renderer draws for it carries the id as the verb.
    const card =
      kind === 'form'
        ? renderForm({ kind: 'form', title: 'f', submitId: id, submitLabel: 'Submit', fields: [] })
        : renderCard({ kind: 'card', title: 'c', fields: [], actions: [{ actionId: id, label: 'Go', recordId: 'INC0000001' }] }, { locale: 'en', timeZone: 'UTC' });
    if (!(card.actions ?? []).some((a) => a.verb === id)) missing.push(`${kind} ${id} (not drawn as its verb)`);
  }

  for (const id of slack.options) {
    const answers: unknown[] = [];
    const context = invoke(TEAMS_INVOKES.search, { queryText: 'a', dataset: id, queryOptions: { skip: 0, top: 15 } }, answers);
    if (!(await accepted(onSearch, teams, context))) missing.push(`type-ahead ${id}`);
    const form = renderForm({ kind: 'form', title: 'f', submitId: 'x', submitLabel: 'Submit', fields: [{ id: 'field', label: 'Field', type: 'select', required: false, suggest: id }] });
    const dataset = (form.body.find((e) => e.id === 'f:field')?.['choices.data'] as { dataset?: string } | undefined)?.dataset;
    if (dataset !== id) missing.push(`type-ahead ${id} (not drawn as its dataset)`);
  }
  return missing;
}

describe('Teams parity: every entry point Slack reaches from the declarations is reachable on Teams', () => {
  const registry = new HandlerRegistry();

  it('declares something of every kind (so the comparison means something)', () => {
    const routes = slackRoutes(registry);
    expect(routes.commands.size).toBeGreaterThan(0);
    expect(routes.actions.size).toBeGreaterThan(0);
    expect(routes.submissions.size).toBeGreaterThan(0);
    expect(routes.options.size).toBeGreaterThan(0);
  });

  it('reaches every command, card action, form and type-ahead on Teams', async () => {
    expect(await unreachableOnTeams(registry, teamsSide(registry))).toEqual([]);
  });

  it('refuses a verb and a dataset nobody declares (the check can fail)', async () => {
    const app = teamsSide(registry);
    expect(await accepted(onCardAction, app, invoke(TEAMS_INVOKES.cardAction, { action: { type: 'Action.Execute', verb: 'nobody.declares', data: {} }, trigger: 'manual' }, []))).toBe(false);
    expect(await accepted(onSearch, app, invoke(TEAMS_INVOKES.search, { queryText: 'a', dataset: 'nobody.declares' }, []))).toBe(false);
    // A declared handler that is no card action (a command's) is not a verb either.
    expect(await accepted(onCardAction, app, invoke(TEAMS_INVOKES.cardAction, { action: { type: 'Action.Execute', verb: 'oncall.show', data: {} }, trigger: 'manual' }, []))).toBe(false);
  });

  it('fails when a declared entry point is unreachable on Teams: a probe declared after the Teams side read its declarations', async () => {
    const probe: HandlerDeclaration = {
      id: 'probe.reachable-on-slack-only',
      description: 'a probe',
      entry: { card: true, form: true, suggest: true, commands: [{ command: 'probe', summary: 'help.summary' as never }] },
      input: z.object({}),
      run: async () => ({ views: [], announcements: [] }),
    };
    const declared = new HandlerRegistry([...HANDLERS, probe]);
    // Slack reaches it: its routes come from the declarations.
    const slack = slackRoutes(declared);
    expect([slack.actions.has(probe.id), slack.submissions.has(probe.id), slack.options.has(probe.id), slack.commands.has('/probe')]).toEqual([true, true, true, true]);
    // A Teams side that does not know it (as an adapter keeping its own table would be) is caught, entry point by entry point.
    expect(await unreachableOnTeams(declared, teamsSide(registry))).toEqual([
      `command probe → ${probe.id}`,
      `card action ${probe.id}`,
      `form ${probe.id}`,
      `type-ahead ${probe.id}`,
    ]);
    // Given the declarations, the Teams side reaches it too.
    expect(await unreachableOnTeams(declared, teamsSide(declared))).toEqual([]);
  });
});
