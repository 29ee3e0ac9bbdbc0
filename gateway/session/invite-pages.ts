/**
 * The invitation landing pages (docs/invite-only.md): plain HTML forms, no script, values escaped
 * by hono/html. The palette is the pages' (clients/styles.css), with a serif title for the sale.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { translator, type Lang } from '../../clients/src/i18n/index.ts';
import { escapeText, translateMarkup } from '../i18n.ts';

type Page = HtmlEscapedString | Promise<HtmlEscapedString>;

/**
 * In the bidder's language (docs/bidders.md, "Languages"); no EN | FR switch: its link would carry
 * the invitation's token into another URL.
 */
const layout = (title: string, body: Page, lang: Lang): Page =>
  html`<!doctype html>
    <html lang="${lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Gavel</title>
        <style>
          :root {
            --ink: #1b1d21;
            --muted: #5d6470;
            --line: #d9dde3;
            --bg: #f6f7f9;
            --card: #fff;
            --accent: #0b5cad;
            --danger: #b3261e;
          }
          * {
            box-sizing: border-box;
          }
          body {
            margin: 0;
            background: var(--bg);
            color: var(--ink);
            font:
              16px/1.55 system-ui,
              sans-serif;
          }
          header {
            border-bottom: 1px solid var(--line);
            background: var(--card);
            padding: 0.9rem 1.25rem;
            letter-spacing: 0.18em;
            text-transform: uppercase;
            font-size: 0.8rem;
            color: var(--muted);
          }
          main {
            max-width: 34rem;
            margin: 2.5rem auto;
            padding: 2rem 1.5rem;
            background: var(--card);
            border: 1px solid var(--line);
          }
          .eyebrow {
            margin: 0;
            letter-spacing: 0.14em;
            text-transform: uppercase;
            font-size: 0.78rem;
            color: var(--muted);
          }
          h1 {
            font-family: Georgia, 'Times New Roman', serif;
            font-weight: 400;
            font-size: 2rem;
            line-height: 1.2;
            margin: 0.4rem 0 1rem;
          }
          label {
            display: block;
            margin: 1rem 0 0.3rem;
            font-weight: 600;
          }
          input {
            font: inherit;
            width: 100%;
            padding: 0.65rem 0.75rem;
            border: 1px solid var(--muted);
            border-radius: 2px;
          }
          input:focus,
          button:focus,
          a:focus {
            outline: 3px solid var(--accent);
            outline-offset: 2px;
          }
          button {
            font: inherit;
            margin-top: 1.5rem;
            width: 100%;
            padding: 0.8rem 1.2rem;
            border: 0;
            border-radius: 2px;
            background: var(--ink);
            color: #fff;
            letter-spacing: 0.06em;
            cursor: pointer;
          }
          a {
            color: var(--accent);
          }
          .note {
            color: var(--muted);
            font-size: 0.92rem;
          }
          .error {
            color: var(--danger);
          }
          @media (max-width: 480px) {
            main {
              margin: 0;
              border: 0;
              padding: 1.5rem 1.1rem;
            }
            h1 {
              font-size: 1.6rem;
            }
          }
        </style>
      </head>
      <body>
        <header>${translator(lang)('invite.house')}</header>
        <main>${body}</main>
      </body>
    </html>`;

/** GET of a live invitation: what it is for, and one button (a mail scanner fetching the URL uses nothing up). */
export function invitationPage(opts: {
  token: string;
  saleTitle: string;
  email: string;
  hasAccount: boolean;
  error?: string | undefined;
  lang: Lang;
}): Page {
  const t = translator(opts.lang);
  return layout(
    t('invite.title', { sale: opts.saleTitle }),
    html`<p class="eyebrow">${t('invite.eyebrow')}</p>
      <h1>${opts.saleTitle}</h1>
      <p>
        ${translateMarkup(opts.lang, 'invite.invitedAs', { email: `<strong>${escapeText(opts.email)}</strong>` })}
      </p>
      ${opts.error === undefined ? '' : html`<p class="error" role="alert">${opts.error}</p>`}
      <form method="post" action="/invite/${opts.token}">
        ${
          opts.hasAccount
            ? html`<p class="note">${t('invite.acceptSignsIn')}</p>`
            : html`<label for="invite-name">${t('invite.yourName')}</label>
                <input id="invite-name" name="name" autocomplete="name" maxlength="100" required />
                <p class="note">${t('invite.acceptCreates')}</p>`
        }
        <button type="submit" id="accept-invitation">${t('invite.accept')}</button>
      </form>`,
    opts.lang,
  );
}

/** A link that does not (or no longer) work: says so, and nothing about the sale. */
export function invitationInvalidPage(
  state: 'unknown' | 'accepted' | 'expired' | 'revoked',
  lang: Lang,
): Page {
  const t = translator(lang);
  const accepted = state === 'accepted';
  return layout(
    t('invite.titleShort'),
    html`<p class="eyebrow">${t('invite.eyebrow')}</p>
      <h1>${t(accepted ? 'invite.alreadyHeading' : 'invite.invalidHeading')}</h1>
      <p>${t(accepted ? 'invite.already' : 'invite.invalid')}</p>
      <p><a href="/sign-in">${t('invite.signIn')}</a></p>`,
    lang,
  );
}
