/** The EN | FR switch on /bid (docs/bidders.md, "Languages"). */
import { isLang, LANG_COOKIE, LANG_COOKIE_MAX_AGE } from './index.ts';

/** The switch's links (`a[data-lang]`) set the cookie here and reload, so the hash (the lot open) stays. */
export function wireLangSwitch(): void {
  for (const a of document.querySelectorAll<HTMLAnchorElement>('a[data-lang]')) {
    a.addEventListener('click', (e) => {
      const lang = a.dataset.lang;
      if (!isLang(lang)) return;
      e.preventDefault();
      document.cookie = `${LANG_COOKIE}=${lang}; Path=/; Max-Age=${LANG_COOKIE_MAX_AGE}; SameSite=Lax`;
      location.reload();
    });
  }
}
