import type { App } from '@slack/bolt';
import { LIMITS, truncate } from '../render/block-kit-limits';
import { SLACK_OPTION_SOURCES } from '../slack-ids';
import type { SlackDeps } from '../slack-context';

/** Type-ahead for configuration items: every word typed must start a word of the item's key or name. */
export function registerOptions(app: App, deps: SlackDeps): void {
  app.options<'block_suggestion'>({ action_id: SLACK_OPTION_SOURCES.configurationItem, type: 'block_suggestion' }, async ({ ack, payload }) => {
    const words = payload.value.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    const items = await deps.opsdesk.ctx.models.ConfigurationItem.find({}).sort({ _id: 1 }).lean();
    const matches = items.filter((ci) => words.every((w) => ci.tokens.some((token) => token.startsWith(w))));
    await ack({
      options: matches.slice(0, LIMITS.selectOptions).map((ci) => ({
        text: { type: 'plain_text' as const, text: truncate(`${ci.name} (${ci.service})`, LIMITS.optionText) },
        value: ci._id,
      })),
    });
  });
}
