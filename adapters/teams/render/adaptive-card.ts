/** The Adaptive Card shapes opsdesk draws: version 1.5, what Teams supports, with Universal Actions. */
export const ADAPTIVE_CARD_VERSION = '1.5';
export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

export type Element = Record<string, unknown>;

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: string;
  body: Element[];
  actions?: Element[];
  refresh?: { action: Element; userIds?: string[] };
}

export function adaptiveCard(body: Element[], actions: Element[] = []): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: ADAPTIVE_CARD_VERSION,
    body,
    ...(actions.length > 0 ? { actions } : {}),
  };
}

export const textBlock = (text: string, extra: Element = {}): Element => ({ type: 'TextBlock', text, wrap: true, ...extra });

/** Adaptive Cards read markdown in TextBlocks: what people typed is shown as typed. */
export const escapeMarkdown = (text: string) => text.replace(/([\\`*_{}[\]()#+\-.!<>|~])/g, '\\$1');

/** The message attachment carrying a card. */
export const cardAttachment = (card: AdaptiveCard) => ({ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card });
