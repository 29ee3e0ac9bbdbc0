/**
 * The sign-in pages: plain HTML forms, no script (they work before any bundle loads). Values are
 * escaped by hono/html's template.
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { SentMail } from '../../common/accounts.ts';
import { translator, type Lang, type Translate } from '../../clients/src/i18n/index.ts';
import { langSwitch } from '../i18n.ts';

export type Page = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The pages' look: a quiet serif house style, the same variables as clients/styles.css where they fit. */
const STYLE = `
  :root { --ink: #1b1d21; --muted: #555b66; --line: #d9dde3; --bg: #f7f5f0; --card: #fff;
    --accent: #0b4f8a; --danger: #a1221b; --ok: #1e6b30; }
  body { font: 16px/1.55 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: var(--ink);
    background: var(--bg); margin: 0; }
  header.house { border-bottom: 1px solid var(--line); background: var(--card); padding: 0.9rem 1rem; }
  header.house a { font: 600 1.15rem/1 Georgia, 'Times New Roman', serif; letter-spacing: 0.18em;
    text-transform: uppercase; color: var(--ink); text-decoration: none; }
  main { max-width: 36rem; margin: 2rem auto; padding: 0 1rem 3rem; }
  main.wide { max-width: 64rem; }
  h1, h2 { font-family: Georgia, 'Times New Roman', serif; font-weight: 500; line-height: 1.25; }
  h1 { font-size: 1.9rem; margin: 0 0 0.5rem; }
  h2 { font-size: 1.3rem; margin: 2rem 0 0.5rem; border-top: 1px solid var(--line); padding-top: 1.25rem; }
  label { display: block; margin: 0.75rem 0 0.25rem; font-weight: 600; }
  fieldset { border: 1px solid var(--line); border-radius: 6px; margin: 0.75rem 0; padding: 0.5rem 0.75rem; }
  fieldset label { display: inline-flex; align-items: center; font-weight: normal; margin: 0.25rem 1.25rem 0.25rem 0; }
  input { font: inherit; width: 100%; padding: 0.55rem; box-sizing: border-box; border: 1px solid #8a909a;
    border-radius: 4px; background: var(--card); }
  input[type='checkbox'] { width: auto; margin-right: 0.35rem; }
  button { font: inherit; margin-top: 1rem; padding: 0.6rem 1.2rem; min-height: 44px; border-radius: 4px;
    border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
  button.quiet { background: var(--card); color: var(--accent); }
  button.danger { background: var(--card); color: var(--danger); border-color: var(--danger); }
  :focus-visible { outline: 3px solid #e0a100; outline-offset: 2px; }
  a { color: var(--accent); }
  pre, code { white-space: pre-wrap; word-break: break-all; }
  pre { background: #efece5; padding: 0.75rem; }
  .muted { color: var(--muted); }
  .error { color: var(--danger); font-weight: 600; }
  .notice { color: var(--ok); font-weight: 600; }
  .card > h2:first-child { border-top: 0; margin-top: 0; padding-top: 0; }
  .card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 1rem; margin: 0.75rem 0; }
  .row { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; justify-content: space-between; }
  .inline { display: inline; }
  .inline button { margin-top: 0.25rem; }
  ul.plain { list-style: none; padding: 0; }
  .lang-switch { float: right; font-size: 0.9rem; }
  .lang-switch a[aria-current] { font-weight: 600; color: var(--ink); text-decoration: none; }
  .qr svg { width: 12rem; height: 12rem; display: block; margin: 0.5rem 0; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
`;

/**
 * A page in the house style; `script`: our bundled script's URL (CSP `script-src 'self'`), none by
 * default. `lang`: a bidder's page in that language, with the EN | FR switch back to `path` if given
 * (docs/bidders.md, "Languages"); without it the page is English and has no switch (staff pages).
 */
export const layout = (
  title: string,
  body: Page,
  opts: {
    script?: string | undefined;
    wide?: boolean;
    lang?: { lang: Lang; path?: string | undefined } | undefined;
  } = {},
): Page =>
  html`<!doctype html>
    <html lang="${opts.lang?.lang ?? 'en'}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Gavel</title>
        <style>
          ${STYLE}
        </style>
        ${opts.script === undefined ? '' : html`<script type="module" src="${opts.script}"></script>`}
      </head>
      <body>
        <header class="house">
          <a href="/">Gavel</a
          >${opts.lang?.path === undefined ? '' : raw(langSwitch(opts.lang.lang, opts.lang.path))}
        </header>
        <main class="${opts.wide === true ? 'wide' : ''}">${body}</main>
      </body>
    </html>`;

/** How long a sign-in link works (the back office's rule, said on the pages). */
const LINK_MINUTES = 15;

/** `/sign-in` with `?next=` kept, for the language switch. */
const signInPath = (next: string | undefined): string =>
  next === undefined ? '/sign-in' : `/sign-in?next=${encodeURIComponent(next)}`;

export function signInPage(opts: {
  error?: string | undefined;
  demo: boolean;
  /** The passkey script's URL: with it, the page offers "Sign in with a passkey". */
  script: string | undefined;
  lang: Lang;
  /** Where to go once signed in (a checked same-origin path), carried through the forms. */
  next?: string | undefined;
}): Page {
  const t: Translate = translator(opts.lang);
  const next = opts.next === undefined ? '' : html`<input type="hidden" name="next" value="${opts.next}" />`;
  return layout(
    t('signIn.title'),
    html`<h1>${t('signIn.heading')}</h1>
      <p>${t('signIn.intro')}</p>
      ${opts.error === undefined ? '' : html`<p class="error" role="alert">${opts.error}</p>`}
      <section
        id="passkey-sign-in"
        hidden
        aria-labelledby="passkey-heading"
        data-say-waiting="${t('passkey.waiting')}"
        data-say-cancelled="${t('passkey.cancelled')}"
        data-say-failed="${t('passkey.failed')}"
      >
        <h2 id="passkey-heading">${t('signIn.passkey')}</h2>
        <button type="button" id="passkey-button">${t('signIn.passkeyButton')}</button>
        <p id="passkey-status" role="status" aria-live="polite"></p>
      </section>
      <h2>${t('signIn.emailLink')}</h2>
      <form method="post" action="/sign-in">
        ${next}
        <label for="email">${t('signIn.email')}</label>
        <input id="email" name="email" type="email" autocomplete="username webauthn" required />
        <button type="submit">${t('signIn.sendLink')}</button>
      </form>
      <h2>${t('signIn.newHere')}</h2>
      <form method="post" action="/sign-in">
        ${next}
        <label for="signup-name">${t('signIn.yourName')}</label>
        <input id="signup-name" name="name" autocomplete="name" required />
        <label for="signup-email">${t('signIn.email')}</label>
        <input id="signup-email" name="email" type="email" autocomplete="email" required />
        <button type="submit">${t('signIn.signUp')}</button>
      </form>
      ${opts.demo ? html`<p>${raw(t('signIn.devMail', { link: '<a href="/dev/mail">/dev/mail</a>' }))}</p>` : ''}`,
    { script: opts.script, lang: { lang: opts.lang, path: signInPath(opts.next) } },
  );
}

export function linkSentPage(lang: Lang): Page {
  const t = translator(lang);
  return layout(
    t('sent.title'),
    html`<h1>${t('sent.title')}</h1>
      <p>${t('sent.body', { minutes: LINK_MINUTES })}</p>`,
    { lang: { lang, path: '/sign-in/sent' } },
  );
}

/** GET of a link: a button, so a mail scanner fetching the URL does not use the link up. */
export function confirmPage(token: string, lang: Lang): Page {
  const t = translator(lang);
  return layout(
    t('signIn.title'),
    html`<h1>${t('signIn.heading')}</h1>
      <form method="post" action="/sign-in/link">
        <input type="hidden" name="token" value="${token}" />
        <button type="submit" id="confirm-sign-in">${t('signIn.confirm')}</button>
      </form>`,
    // No switch here: its link would carry the token into another URL.
    { lang: { lang } },
  );
}

export function linkInvalidPage(lang: Lang): Page {
  const t = translator(lang);
  return layout(
    t('invalid.title'),
    html`<h1>${t('invalid.heading')}</h1>
      <p>${t('invalid.body', { minutes: LINK_MINUTES })} <a href="/sign-in">${t('invalid.again')}</a>.</p>`,
    { lang: { lang, path: '/sign-in' } },
  );
}

export function devMailPage(mail: readonly SentMail[]): Page {
  return layout(
    'Sent mail',
    html`<h1>Sent mail (this run)</h1>
      <p>The embedded default keeps the email it sends here instead of using a mail server.</p>
      ${mail.length === 0 ? html`<p>Nothing sent yet.</p>` : ''}
      ${mail.map(
        (m) =>
          html`<article class="mail" data-to="${m.to}">
            <h2>${m.subject}</h2>
            <p>To ${m.to} · ${m.sentAt}</p>
            <pre>${m.text}</pre>
          </article>`,
      )}`,
  );
}
