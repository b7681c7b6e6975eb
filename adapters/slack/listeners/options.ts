import type { App, BlockSuggestion } from '@slack/bolt';
import type { OptionsView } from '../../../src/views/view-model';
import { LIMITS, truncate } from '../render/block-kit-limits';
import { parseViewState } from '../render/parse-view-state';
import { slackActorBeforeAck } from '../slack-actor';
import type { SlackDeps } from '../slack-context';
import { interact } from '../present';

/**
 * Type-ahead for every field whose options a handler suggests (the field's action id names it);
 * the handler sees the form's other values, so a choice above narrows the suggestions.
 */
export function registerOptions(app: App, deps: SlackDeps): void {
  for (const handlerId of deps.opsdesk.registry.idsWith('suggest')) {
    app.options<'block_suggestion'>({ action_id: handlerId, type: 'block_suggestion' }, async ({ ack, body, client }) => {
      const suggestion = body as BlockSuggestion;
      let options: OptionsView['options'] = [];
      try {
        const actor = await slackActorBeforeAck(deps, suggestion.user.id);
        const form = suggestion.view ? parseViewState(suggestion.view) : {};
        const result = await interact(deps, actor, { entry: handlerId, query: suggestion.value, form });
        options = result.views.find((v): v is OptionsView => v.kind === 'options')?.options ?? [];
      } catch (error) {
        // The menu shows no suggestions rather than an error; the cause is logged.
        deps.opsdesk.log.error({ err: error, userId: suggestion.user.id, handlerId }, 'suggestions failed');
      }
      await ack({
        options: options.slice(0, LIMITS.selectOptions).map((o) => ({
          text: { type: 'plain_text' as const, text: truncate(o.label, LIMITS.optionText) },
          value: truncate(o.value, LIMITS.optionValue),
        })),
      });
    });
  }
}
