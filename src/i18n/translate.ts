import { DateTime } from 'luxon';
import { en, type MessageKey } from './messages.en';
import { ko } from './messages.ko';

export const LOCALES = ['en', 'ko'] as const;
export type Locale = (typeof LOCALES)[number];

const catalogs: Record<Locale, Record<MessageKey, string>> = { en, ko };

/** A platform's locale tag (ko-KR, en_US, ko) → one we have, or undefined. */
export function supportedLocale(tag: string | undefined | null): Locale | undefined {
  const base = tag?.slice(0, 2).toLowerCase();
  return LOCALES.find((l) => l === base);
}

export function hasMessage(key: string): key is MessageKey {
  return key in en;
}

/** The message in the reader's language with `{name}` placeholders filled. */
export function t(locale: Locale, key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = catalogs[locale][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => (name in params ? String(params[name]) : `{${name}}`));
}

/** An instant as the reader reads it: their zone, their language's date style. */
export function formatInstant(at: Date, locale: Locale, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone })
    .setLocale(locale === 'ko' ? 'ko-KR' : 'en-GB')
    .toFormat(locale === 'ko' ? 'yyyy-MM-dd (ccc) HH:mm ZZZZ' : 'ccc d LLL yyyy, HH:mm ZZZZ');
}
