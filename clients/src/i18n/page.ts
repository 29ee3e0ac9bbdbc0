/**
 * The browser's side of the bidder's language: the page's `<html lang>` (the gateway sets it from
 * the `lang` cookie or Accept-Language) and `t()` in that language. No DOM types: money.ts, which
 * also compiles for Node, uses it; without a document (unit tests in Node) the language is English.
 */
import { DEFAULT_LOCALE, isLang, translate, type Lang, type MessageKey, type Values } from './index.ts';

/** The page's language, from `<html lang>`; English without a document or for a language we lack. */
export function pageLang(): Lang {
  const doc = (globalThis as { document?: { documentElement?: { lang?: string } } }).document;
  const lang = doc?.documentElement?.lang?.slice(0, 2).toLowerCase();
  return isLang(lang) ? lang : 'en';
}

/** The locale for Intl: the browser's own when it is in the page's language (fr-CA stays fr-CA), else the language's default. */
export function pageLocale(): string {
  const lang = pageLang();
  const nav = (globalThis as { navigator?: { language?: string } }).navigator?.language;
  return nav !== undefined && nav.toLowerCase().startsWith(lang) ? nav : DEFAULT_LOCALE[lang];
}

/** The message for `key` in the page's language. */
export function t(key: MessageKey, values?: Values): string {
  return translate(pageLang(), key, values);
}
