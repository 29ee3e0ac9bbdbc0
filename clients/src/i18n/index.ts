/**
 * The bidder's pages in the bidder's language (docs/bidders.md, "Languages"): ICU messages from a
 * typed catalogue per language, formatted by intl-messageformat (plurals by the language's own
 * rules). No DOM here: the gateway renders its pages with it too; page.ts is the browser's side.
 * In the browser's bundle the catalogues arrive already parsed (ASTs, which IntlMessageFormat takes
 * as it takes strings) and the ICU parser is left out: gateway/routes/client-messages.ts.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { en, type MessageKey } from './en.ts';
import { fr } from './fr.ts';

export type { MessageKey } from './en.ts';

/** The languages the bidder's pages speak; the first is the default. */
export const LANGS = ['en', 'fr'] as const;
export type Lang = (typeof LANGS)[number];

/**
 * Namespaces of keys only the gateway's server-rendered pages use (account, registration, identity
 * check, invitations, the push settings): left out of the browser's bundle, which never shows them.
 * A test holds the client code to it (gateway/routes/client-messages.test.ts).
 */
export const SERVER_ONLY_NAMESPACES: readonly string[] = [
  'acct',
  'invite',
  'kyc',
  'me',
  'push',
  'reg',
  'staff',
];

/** Whether the browser's bundle carries `key` (its namespace is not a server page's). */
export function inBrowserBundle(key: string): boolean {
  return !SERVER_ONLY_NAMESPACES.includes(key.split('.')[0] ?? '');
}

/** The cookie that keeps a bidder's choice (SameSite=Lax, a year). */
export const LANG_COOKIE = 'lang';
export const LANG_COOKIE_MAX_AGE = 365 * 24 * 3600;

const CATALOGUES: Record<Lang, Record<MessageKey, string>> = { en, fr };

/** The locale Intl formats money and dates with for a language, when the browser names none of its own. */
export const DEFAULT_LOCALE: Record<Lang, string> = { en: 'en-US', fr: 'fr-FR' };

export function isLang(v: string | undefined | null): v is Lang {
  return (LANGS as readonly string[]).includes(v ?? '');
}

/** A message's values: text and numbers (numbers for plurals). */
export type Values = Record<string, string | number>;
export type Translate = (key: MessageKey, values?: Values) => string;

const compiled = new Map<string, IntlMessageFormat>();

/** The message for `key` in `lang`, formatted with `values`. */
export function translate(lang: Lang, key: MessageKey, values?: Values): string {
  const id = `${lang}|${key}`;
  let f = compiled.get(id);
  if (f === undefined) {
    f = new IntlMessageFormat(CATALOGUES[lang][key], DEFAULT_LOCALE[lang]);
    compiled.set(id, f);
  }
  const out = f.format(values);
  return typeof out === 'string' ? out : String(out);
}

/** A `t(key, values)` bound to one language. */
export function translator(lang: Lang): Translate {
  return (key, values) => translate(lang, key, values);
}

/** The raw catalogue of a language (for the tests' parity check). */
export function catalogue(lang: Lang): Readonly<Record<MessageKey, string>> {
  return CATALOGUES[lang];
}
