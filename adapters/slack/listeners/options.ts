import type { App, BlockSuggestion } from '@slack/bolt';
import { CMDB_IDS } from '../../../handlers/cmdb/suggest-configuration-items';
import type { OptionsView } from '../../../src/views/view-model';
import { LIMITS, truncate } from '../render/block-kit-limits';
import { parseViewState } from '../render/parse-view-state';
import { slackActor } from '../slack-actor';
import { SLACK_OPTION_SOURCES } from '../slack-ids';
import type { SlackDeps } from '../slack-context';
import { run } from '../present';

/** Type-ahead for configuration items, narrowed to the service already chosen in the same form. */
export function registerOptions(app: App, deps: SlackDeps): void {
  app.options<'block_suggestion'>({ action_id: SLACK_OPTION_SOURCES.configurationItem, type: 'block_suggestion' }, async ({ ack, body, client }) => {
    const suggestion = body as BlockSuggestion;
    let options: OptionsView['options'] = [];
    try {
      const actor = await slackActor(deps.opsdesk.ctx.people, client, suggestion.user.id);
      const service = suggestion.view ? parseViewState(suggestion.view).service : undefined;
      const result = await run(deps, actor, CMDB_IDS.suggest, { query: suggestion.value, ...(typeof service === 'string' ? { service } : {}) });
      options = result.views.find((v): v is OptionsView => v.kind === 'options')?.options ?? [];
    } catch (error) {
      // The menu shows no suggestions rather than an error; the cause is logged.
      deps.opsdesk.log.error({ err: error, userId: suggestion.user.id }, 'configuration item suggestions failed');
    }
    await ack({
      options: options.slice(0, LIMITS.selectOptions).map((o) => ({
        text: { type: 'plain_text' as const, text: truncate(o.label, LIMITS.optionText) },
        value: truncate(o.value, LIMITS.optionValue),
      })),
    });
  });
}
