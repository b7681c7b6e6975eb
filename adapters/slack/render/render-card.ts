import type { KnownBlock, Button, StaticSelect } from '@slack/types';
import type { ActionView, CardView } from '../../../src/views/view-model';
import { encodeActionValue } from './action-value';
import { LIMITS, truncate } from './block-kit-limits';

const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: truncate(text, max), emoji: true });

/** Slack mrkdwn treats &, < and > as markup: escape what people typed. */
export const escapeMrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function renderAction(action: ActionView): Button | StaticSelect {
  if (action.options) {
    return {
      type: 'static_select',
      action_id: action.actionId,
      placeholder: plain(action.label, LIMITS.buttonText),
      options: action.options.slice(0, LIMITS.selectOptions).map((o) => ({
        text: plain(o.label, LIMITS.optionText),
        value: truncate(encodeActionValue({ recordId: action.recordId, value: o.value }), LIMITS.optionValue),
      })),
    };
  }
  return {
    type: 'button',
    action_id: action.actionId,
    text: plain(action.label, LIMITS.buttonText),
    value: encodeActionValue({ recordId: action.recordId }),
    ...(action.style ? { style: action.style } : {}),
  };
}

/** A card as blocks: header, fields, text, context, actions. */
export function renderCard(card: CardView): KnownBlock[] {
  const blocks: KnownBlock[] = [{ type: 'header', text: plain(card.title, LIMITS.headerText) }];
  for (let i = 0; i < card.fields.length; i += LIMITS.sectionFields) {
    blocks.push({
      type: 'section',
      fields: card.fields.slice(i, i + LIMITS.sectionFields).map((f) => ({
        type: 'mrkdwn' as const,
        text: truncate(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`, LIMITS.fieldText),
      })),
    });
  }
  if (card.text) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(escapeMrkdwn(card.text), LIMITS.sectionText) } });
  if (card.context?.length) {
    blocks.push({
      type: 'context',
      elements: card.context.slice(0, LIMITS.contextElements).map((c) => ({ type: 'mrkdwn' as const, text: truncate(escapeMrkdwn(c), LIMITS.contextText) })),
    });
  }
  if (card.actions.length > 0) {
    blocks.push({
      type: 'actions',
      block_id: `actions:${card.recordId ?? ''}`,
      elements: card.actions.slice(0, LIMITS.actionsElements).map(renderAction),
    });
  }
  return blocks;
}

/** The notification text Slack shows where blocks cannot be (push notifications, screen readers). */
export const cardFallback = (card: CardView) => truncate(`${card.title}: ${card.fields.map((f) => `${f.label} ${f.value}`).join(', ')}`, LIMITS.fallbackText);
