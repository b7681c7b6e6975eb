import type { Locale } from '../i18n/translate';
import { t } from '../i18n/translate';
import type { CardView, ListView } from './view-model';

/** Items on one page of a list (a Slack message holds 50 blocks; a card takes two or three). */
export const PAGE_SIZE = 15;

export interface PagedList {
  title: string;
  empty: string;
  items: CardView[];
  /** The page shown, from 1. */
  page: number;
  /** Items in the list, all pages together. */
  total: number;
  /** The handler that shows the list: its pages are clicks on it with the page as the value. */
  handlerId: string;
}

/** A page of a list, with where it sits ("16–30 of 500") and the ways to its neighbours. */
export function pagedList(locale: Locale, list: PagedList): ListView {
  const view: ListView = { kind: 'list', title: list.title, empty: list.empty, items: list.items };
  const first = (list.page - 1) * PAGE_SIZE + 1;
  if (list.total <= PAGE_SIZE && list.page === 1) return view;
  const last = Math.min(list.total, first + list.items.length - 1);
  const page = (n: number, label: 'list.previous' | 'list.next') => ({
    actionId: list.handlerId,
    label: t(locale, label, { size: PAGE_SIZE }),
    recordId: '',
    value: String(n),
  });
  return {
    ...view,
    range: t(locale, 'list.range', { first: Math.min(first, list.total), last, total: list.total }),
    pages: [...(list.page > 1 ? [page(list.page - 1, 'list.previous')] : []), ...(last < list.total ? [page(list.page + 1, 'list.next')] : [])],
  };
}
