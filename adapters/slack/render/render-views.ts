import type { KnownBlock, View as SlackModal, InputBlock } from '@slack/types';
import type { CardView, FormField, FormView, ListView, NoticeView, View } from '../../../src/views/view-model';
import { LIMITS, truncate } from './block-kit-limits';
import { escapeMrkdwn, renderActionElement, renderCard } from './render-card';
import type { Mentions } from './slack-mentions';

const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: truncate(text, max), emoji: true });

/** What a modal remembers between opening and submission. */
export interface ModalMetadata {
  recordId?: string;
  /** The channel the form was opened from, for the confirmation. */
  channel?: string;
  /** Extra values the submission needs (the permalink of a reported message, a prefilled service). */
  extra?: Record<string, string>;
}

function renderElement(field: FormField): InputBlock['element'] {
  const initial = typeof field.initial === 'string' ? field.initial : undefined;
  const options = (field.options ?? []).slice(0, LIMITS.selectOptions).map((o) => ({
    text: plain(o.label, LIMITS.optionText),
    value: truncate(o.value, LIMITS.optionValue),
  }));
  const initialOption = options.find((o) => o.value === initial);
  switch (field.type) {
    case 'text':
    case 'long_text':
      return {
        type: 'plain_text_input',
        action_id: field.id,
        multiline: field.type === 'long_text',
        max_length: Math.min(field.maxLength ?? LIMITS.textInput, LIMITS.textInput),
        ...(initial ? { initial_value: truncate(initial, Math.min(field.maxLength ?? LIMITS.textInput, LIMITS.textInput)) } : {}),
        ...(field.placeholder ? { placeholder: plain(field.placeholder, 150) } : {}),
      };
    case 'select':
      // Slack asks the action id for options as the person types: it names the suggesting handler.
      if (field.suggest) return { type: 'external_select', action_id: field.suggest, min_query_length: 0 };
      return { type: 'static_select', action_id: field.id, options, ...(initialOption ? { initial_option: initialOption } : {}) };
    case 'multi_select':
      if (field.suggest) return { type: 'multi_external_select', action_id: field.suggest, min_query_length: 0 };
      return { type: 'multi_static_select', action_id: field.id, options };
    case 'person':
      return { type: 'users_select', action_id: field.id };
    case 'datetime':
      return { type: 'datetimepicker', action_id: field.id };
  }
}

/** A form as a modal: one input block per field, block_id and action_id both the field's id. */
export function renderModal(form: FormView, metadata: ModalMetadata): SlackModal {
  return {
    type: 'modal',
    callback_id: form.submitId,
    title: plain(form.title, LIMITS.modalTitle),
    submit: plain(form.submitLabel, LIMITS.modalButton),
    private_metadata: truncate(JSON.stringify({ ...metadata, ...(form.recordId ? { recordId: form.recordId } : {}) }), LIMITS.privateMetadata),
    blocks: form.fields.slice(0, LIMITS.modalBlocks).map(
      (field): InputBlock => ({
        type: 'input',
        block_id: field.id,
        label: plain(field.label, LIMITS.inputLabel),
        optional: !field.required,
        element: renderElement(field),
      }),
    ),
  };
}

export function renderNotice(notice: NoticeView): KnownBlock[] {
  const icon = notice.tone === 'error' ? ':warning: ' : notice.tone === 'success' ? ':white_check_mark: ' : '';
  const lines = [notice.text, ...Object.values(notice.fieldErrors ?? {}).filter((e) => e !== notice.text)];
  return [{ type: 'section', text: { type: 'mrkdwn', text: truncate(icon + escapeMrkdwn(lines.join('\n')), LIMITS.sectionText) } }];
}

/** A card in one block, for a list whose full cards would not all fit in one message. */
function renderCompactItem(card: CardView): KnownBlock {
  const fields = card.fields.map((f) => `${escapeMrkdwn(f.label)}: ${escapeMrkdwn(f.value)}`).join(' · ');
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(`*${escapeMrkdwn(card.title)}*\n${fields}`, LIMITS.sectionText) } };
}

/**
 * A list as blocks: its items as full cards while the rest still fit in one message, the others
 * in one block each (nothing of the page is left out), then where the page sits and the ways to
 * its neighbours.
 */
export function renderList(list: ListView, mentions?: Mentions): KnownBlock[] {
  const blocks: KnownBlock[] = [{ type: 'header', text: plain(list.title, LIMITS.headerText) }];
  if (list.items.length === 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(list.empty) } });
  const trailing = (list.range ? 1 : 0) + (list.pages?.length ? 1 : 0);
  list.items.forEach((item, i) => {
    const full = [...renderCard(item, mentions), { type: 'divider' } as KnownBlock];
    const rest = list.items.length - i - 1;
    blocks.push(...(blocks.length + full.length + rest + trailing <= LIMITS.messageBlocks ? full : [renderCompactItem(item)]));
  });
  if (list.range) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: escapeMrkdwn(list.range) }] });
  if (list.pages?.length) blocks.push({ type: 'actions', block_id: `pages:${list.title}`.slice(0, 255), elements: list.pages.map(renderActionElement) });
  return blocks.slice(0, LIMITS.messageBlocks);
}

/** Blocks for every non-form view (forms become modals). */
/** The views as one message's blocks, up to `maxBlocks` (a message's 50; an App Home's 100). */
export function renderMessage(views: View[], mentions?: Mentions, maxBlocks: number = LIMITS.messageBlocks): KnownBlock[] {
  return views.flatMap((view) => {
    switch (view.kind) {
      case 'card':
        return renderCard(view, mentions);
      case 'notice':
        return renderNotice(view);
      case 'list':
        return renderList(view, mentions);
      case 'form':
      case 'options':
        return [];
    }
  }).slice(0, maxBlocks);
}

/** Plain text of the views, for the `text` every message also needs. */
export function fallbackText(views: View[]): string {
  const parts = views.map((v) => (v.kind === 'notice' ? v.text : v.kind === 'options' ? '' : v.title));
  return truncate(parts.join('\n'), LIMITS.fallbackText);
}
