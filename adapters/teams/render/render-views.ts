import type { CardView, ListView, NoticeView, View } from '../../../src/views/view-model';
import type { ActionData } from './action-data';
import { adaptiveCard, cardAttachment, textBlock, type AdaptiveCard, type Element } from './adaptive-card';
import { cardBody, renderAction, renderCard, type RefreshVerbOf, type Viewer } from './render-card';
import { renderForm } from './render-form';

const TONE_COLOR: Readonly<Record<NoticeView['tone'], string>> = { info: 'Default', success: 'Good', error: 'Attention' };

export const renderNotice = (notice: NoticeView): AdaptiveCard => adaptiveCard([textBlock(notice.text, { color: TONE_COLOR[notice.tone] })]);

/** A list as one card: each item's content and buttons in a container of its own, then the pages. */
export function renderList(list: ListView, viewer: Viewer): AdaptiveCard {
  const body: Element[] = [textBlock(list.title, { weight: 'Bolder', size: 'Medium' })];
  if (list.range) body.push(textBlock(list.range, { isSubtle: true, size: 'Small' }));
  if (list.items.length === 0) body.push(textBlock(list.empty));
  for (const item of list.items) {
    const actions = item.actions.map((a) => renderAction(a, item.version));
    body.push({ type: 'Container', separator: true, items: [...cardBody(item, viewer), ...(actions.length > 0 ? [{ type: 'ActionSet', actions }] : [])] });
  }
  return adaptiveCard(body, (list.pages ?? []).map((p) => renderAction(p, undefined)));
}

/** One card for one view (options are answered to a search, not drawn). */
export function renderView(view: View, viewer: Viewer, refreshVerbOf?: RefreshVerbOf, opener?: ActionData['opener']): AdaptiveCard | undefined {
  switch (view.kind) {
    case 'card':
      return renderCard(view, viewer, refreshVerbOf);
    case 'list':
      return renderList(view, viewer);
    case 'notice':
      return renderNotice(view);
    case 'form':
      return renderForm(view, opener);
    case 'options':
      return undefined;
  }
}

/** The attachments of a message showing these views, one card each. */
export function renderAttachments(views: readonly View[], viewer: Viewer, refreshVerbOf?: RefreshVerbOf, opener?: ActionData['opener']) {
  return views.flatMap((v) => {
    const card = renderView(v, viewer, refreshVerbOf, opener);
    return card ? [cardAttachment(card)] : [];
  });
}

/** The plain text a notification or an old client shows. */
export function summaryText(views: readonly View[]): string {
  const first = views[0];
  if (!first) return '';
  return first.kind === 'card' || first.kind === 'list' || first.kind === 'form' ? first.title : first.kind === 'notice' ? first.text : '';
}

export type { CardView };
