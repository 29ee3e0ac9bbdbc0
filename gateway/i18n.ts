// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the ambient declaration of negotiator 1.x (see routes/precompressed.ts)
/// <reference path="./routes/negotiator.d.ts" />
/**
 * The bidder's language on the server (docs/bidders.md, "Languages"): the `lang` cookie when the
 * bidder chose one with the EN | FR switch, else the best of Accept-Language, else English.
 */
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import Negotiator from 'negotiator';
import { raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import {
  isLang,
  LANG_COOKIE,
  LANGS,
  translate,
  type Lang,
  type MessageKey,
  type Values,
} from '../clients/src/i18n/index.ts';

export function negotiateLang(cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  if (isLang(cookie)) return cookie;
  if (acceptLanguage === undefined || acceptLanguage.trim() === '') return LANGS[0];
  const best = new Negotiator({ headers: { 'accept-language': acceptLanguage } }).language([...LANGS]);
  return isLang(best) ? best : LANGS[0];
}

/** The request's language. */
export function langOf(c: Context): Lang {
  return negotiateLang(getCookie(c, LANG_COOKIE), c.req.header('accept-language'));
}

const NAMES: Record<Lang, string> = { en: 'English', fr: 'Français' };

/**
 * The EN | FR switch (HTML): links to `/lang/<lang>?next=<back>` (works without script); on /bid the
 * page's script sets the cookie itself and reloads, keeping the hash. The current one is marked.
 */
export function langSwitch(current: Lang, back: string): string {
  const links = LANGS.map((l) => {
    const attrs = `href="/lang/${l}?next=${encodeURIComponent(back)}" data-lang="${l}" lang="${l}" hreflang="${l}" title="${NAMES[l]}"`;
    return l === current
      ? `<a ${attrs} aria-current="true">${l.toUpperCase()}</a>`
      : `<a ${attrs}>${l.toUpperCase()}</a>`;
  });
  return `<nav class="lang-switch" aria-label="${translate(current, 'lang.switch')}">${links.join(' | ')}</nav>`;
}

/** The server-rendered bidder pages' headers: the text differs by the lang cookie and Accept-Language. */
export function langHeaders(c: Context, lang: Lang): void {
  if (!/accept-language/i.test(c.res.headers.get('vary') ?? ''))
    c.header('Vary', 'Cookie, Accept-Language', { append: true });
  c.header('Content-Language', lang);
}

/** Text escaped for HTML, for `translateMarkup`'s markup. */
export const escapeText = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * A message with markup in its placeholders (`{email}` as `<strong>…</strong>`): the message's
 * text is escaped, each of `markup` is put in as given — build it with `escapeText` for any value.
 */
export function translateMarkup(
  lang: Lang,
  key: MessageKey,
  markup: Record<string, string>,
  values: Values = {},
): HtmlEscapedString {
  const names = Object.keys(markup);
  const marks = Object.fromEntries(names.map((n, i) => [n, `\uE000${i}\uE000`]));
  const text = escapeText(translate(lang, key, { ...values, ...marks }));
  return raw(text.replace(/\uE000(\d+)\uE000/g, (_, i: string) => markup[names[Number(i)] ?? ''] ?? ''));
}
