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

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(locale: Locale, timeZone: string): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    // Building an Intl formatter costs far more than using one: one per locale and zone.
    formatter = new Intl.DateTimeFormat(locale === 'ko' ? 'ko-KR' : 'en-GB', {
      timeZone,
      year: 'numeric',
      month: locale === 'ko' ? '2-digit' : 'short',
      day: locale === 'ko' ? '2-digit' : 'numeric',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'shortOffset',
    });
    formatters.set(key, formatter);
  }
  return formatter;
}

/** An instant as the reader reads it: their zone, their language's date style. */
export function formatInstant(at: Date, locale: Locale, timeZone: string): string {
  const parts = Object.fromEntries(formatterFor(locale, timeZone).formatToParts(at).map((p) => [p.type, p.value]));
  return locale === 'ko'
    ? `${parts.year}-${parts.month}-${parts.day} (${parts.weekday}) ${parts.hour}:${parts.minute} ${parts.timeZoneName}`
    : `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
}
