import type { TurnContext } from 'botbuilder';
import { dispatchInteraction } from '../../../handlers/dispatch';
import { decodeActionData } from '../render/action-data';
import { teamsActorIfKnown } from '../teams-actor';
import { invokeResponse, type TeamsDeps } from '../teams-context';

const SEARCH_RESPONSE = 'application/vnd.microsoft.search.searchResponse';

interface SearchValue {
  queryText?: unknown;
  dataset?: unknown;
  queryOptions?: { top?: number };
  /** The card's other inputs, by input id (the Data.Query's `associatedInputs: auto`). */
  data?: unknown;
}

/**
 * A type-ahead field (`Data.Query`) asks as the person types: the dataset names the suggesting
 * handler, and the card's other inputs come along (they narrow it). Answered at once and nothing stored.
 */
export async function onSearch(deps: TeamsDeps, context: TurnContext): Promise<unknown> {
  const { opsdesk } = deps;
  const value = (context.activity.value ?? {}) as SearchValue;
  const dataset = typeof value.dataset === 'string' ? value.dataset : '';
  if (!opsdesk.registry.get(dataset)?.entry?.suggest) {
    return invokeResponse(context, 400, { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: `${dataset} is not a type-ahead` } });
  }
  const actor = await teamsActorIfKnown(opsdesk, context);
  const query = typeof value.queryText === 'string' ? value.queryText.slice(0, 200) : '';
  const { form } = decodeActionData(value.data, actor.timeZone);
  const { views } = await dispatchInteraction(opsdesk.ctx, opsdesk.registry, opsdesk.log, actor, { entry: dataset, query, platform: 'teams', ...(Object.keys(form).length > 0 ? { form } : {}) });
  const options = views.find((v) => v.kind === 'options');
  const top = Math.max(1, Math.min(value.queryOptions?.top ?? 25, 100));
  const results = options?.kind === 'options' ? options.options.slice(0, top).map((o) => ({ title: o.label, value: o.value })) : [];
  return invokeResponse(context, 200, { statusCode: 200, type: SEARCH_RESPONSE, value: { results } });
}
