import type { Button, ConfirmationDialog, KnownBlock, StaticSelect } from '@slack/types';
import type { ActionView, CardField, CardView, ConfirmView, Severity } from '../../../src/views/view-model';
import { encodeActionValue, repeatedActionId } from './action-value';
import { LIMITS, truncate } from './block-kit-limits';
import type { Mentions } from './slack-mentions';

const NO_MENTIONS: Mentions = new Map();

const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: truncate(text, max), emoji: true });

/** A card input's block id: a message may hold several cards (a list), and block ids must differ. */
export const cardInputBlockId = (inputId: string, recordId: string) => `${inputId}:${recordId}`;

/** Slack mrkdwn treats &, < and > as markup: escape what people typed. */
export const escapeMrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const SEVERITY_ICON: Readonly<Record<Severity, string>> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  moderate: ':large_yellow_circle:',
  low: ':large_blue_circle:',
  planning: ':white_circle:',
};

/**
 * An instant Slack shows in each viewer's own time zone (the text is the fallback in the reader's
 * zone); a person with a Slack user, as a mention.
 */
function fieldValue(field: CardField, mentions: Mentions): string {
  const slackUser = field.person ? mentions.get(field.person.id) : undefined;
  if (slackUser) return `<@${slackUser}>`;
  if (!field.at) return escapeMrkdwn(field.value);
  const unix = Math.floor(field.at.getTime() / 1000);
  return `<!date^${unix}^{date_short_pretty} {time}|${escapeMrkdwn(field.value).replace(/\|/g, '/')}>`;
}

/** A link in mrkdwn: web addresses only, with the characters that end Slack's link syntax encoded. */
function link(url: string, label: string): string | undefined {
  if (!/^https?:\/\//i.test(url)) return undefined;
  const safeUrl = url.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C');
  return `<${safeUrl}|${escapeMrkdwn(label).replace(/\|/g, '/')}>`;
}

function renderConfirm(confirm: ConfirmView): ConfirmationDialog {
  return {
    title: plain(confirm.title, LIMITS.confirmTitle),
    text: plain(confirm.text, LIMITS.confirmText),
    confirm: plain(confirm.confirm, LIMITS.confirmButton),
    deny: plain(confirm.deny, LIMITS.confirmButton),
  };
}

/** One action as its Slack element (a digest's line carries its page's Acknowledge). */
export const renderActionElement = (action: ActionView): Button | StaticSelect => renderAction(action, undefined, 0);

function renderAction(action: ActionView, cardVersion: number | undefined, repeat: number): Button | StaticSelect {
  const value = (chosen?: string) =>
    encodeActionValue({ recordId: action.recordId, ...(chosen !== undefined ? { value: chosen } : {}), ...(cardVersion !== undefined ? { cardVersion } : {}) });
  const confirm = action.confirm ? { confirm: renderConfirm(action.confirm) } : {};
  if (action.options) {
    return {
      type: 'static_select',
      action_id: repeatedActionId(action.actionId, repeat),
      placeholder: plain(action.label, LIMITS.buttonText),
      options: action.options.slice(0, LIMITS.selectOptions).map((o) => ({
        text: plain(o.label, LIMITS.optionText),
        value: truncate(value(o.value), LIMITS.optionValue),
      })),
      ...confirm,
    };
  }
  return {
    type: 'button',
    action_id: repeatedActionId(action.actionId, repeat),
    text: plain(action.label, LIMITS.buttonText),
    value: truncate(value(action.value), LIMITS.buttonValue),
    ...(action.style ? { style: action.style } : {}),
    ...confirm,
  };
}

/** A card as blocks: header, fields, text, context and links, actions. */
export function renderCard(card: CardView, mentions: Mentions = NO_MENTIONS): KnownBlock[] {
  const icon = card.severity ? `${SEVERITY_ICON[card.severity]} ` : '';
  const blocks: KnownBlock[] = [{ type: 'header', text: plain(icon + card.title, LIMITS.headerText) }];
  for (let i = 0; i < card.fields.length; i += LIMITS.sectionFields) {
    blocks.push({
      type: 'section',
      fields: card.fields.slice(i, i + LIMITS.sectionFields).map((f) => ({
        type: 'mrkdwn' as const,
        text: truncate(`*${escapeMrkdwn(f.label)}*\n${fieldValue(f, mentions)}`, LIMITS.fieldText),
      })),
    });
  }
  if (card.text) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(escapeMrkdwn(card.text), LIMITS.sectionText) } });
  const context = [
    ...(card.context ?? []).map(escapeMrkdwn),
    ...(card.links ?? []).flatMap((l) => link(l.url, l.label) ?? []),
  ];
  if (context.length > 0) {
    blocks.push({
      type: 'context',
      elements: context.slice(0, LIMITS.contextElements).map((text) => ({ type: 'mrkdwn' as const, text: truncate(text, LIMITS.contextText) })),
    });
  }
  // A text typed on the card goes with its button: Slack sends what is in the card's inputs with every click.
  for (const input of card.actions.flatMap((a) => (a.input ? [a.input] : []))) {
    blocks.push({
      type: 'input',
      block_id: cardInputBlockId(input.id, card.recordId ?? ''),
      label: plain(input.label, LIMITS.inputLabel),
      optional: !input.required,
      dispatch_action: false,
      element: {
        type: 'plain_text_input',
        action_id: input.id,
        multiline: Boolean(input.multiline),
        max_length: Math.min(input.maxLength ?? LIMITS.textInput, LIMITS.textInput),
        ...(input.placeholder ? { placeholder: plain(input.placeholder, 150) } : {}),
      },
    });
  }
  if (card.actions.length > 0) {
    blocks.push({
      type: 'actions',
      block_id: `actions:${card.recordId ?? ''}`,
      elements: card.actions.slice(0, LIMITS.actionsElements).map((a, i, all) => renderAction(a, card.version, all.slice(0, i).filter((b) => b.actionId === a.actionId).length)),
    });
  }
  return blocks;
}

/** The notification text Slack shows where blocks cannot be (push notifications, screen readers). */
export const cardFallback = (card: CardView) => truncate(`${card.title}: ${card.fields.map((f) => `${f.label} ${f.value}`).join(', ')}`, LIMITS.fallbackText);
