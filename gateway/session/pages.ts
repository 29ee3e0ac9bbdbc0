/**
 * The sign-in pages: plain HTML forms, no script (they work before any bundle loads). Values are
 * escaped by hono/html's template.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { SentMail } from '../../common/accounts.ts';

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
  .qr svg { width: 12rem; height: 12rem; display: block; margin: 0.5rem 0; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
`;

/** A page in the house style; `script`: our bundled script's URL (CSP `script-src 'self'`), none by default. */
export const layout = (
  title: string,
  body: Page,
  opts: { script?: string | undefined; wide?: boolean } = {},
): Page =>
  html`<!doctype html>
    <html lang="en">
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
        <header class="house"><a href="/">Gavel</a></header>
        <main class="${opts.wide === true ? 'wide' : ''}">${body}</main>
      </body>
    </html>`;

export function signInPage(opts: {
  error?: string | undefined;
  demo: boolean;
  /** The passkey script's URL: with it, the page offers "Sign in with a passkey". */
  script: string | undefined;
}): Page {
  return layout(
    'Sign in',
    html`<h1>Sign in to Gavel</h1>
      <p>With a passkey, or with a link we email you. No password.</p>
      ${opts.error === undefined ? '' : html`<p class="error" role="alert">${opts.error}</p>`}
      <section id="passkey-sign-in" hidden aria-labelledby="passkey-heading">
        <h2 id="passkey-heading">Passkey</h2>
        <button type="button" id="passkey-button">Sign in with a passkey</button>
        <p id="passkey-status" role="status" aria-live="polite"></p>
      </section>
      <h2>Email link</h2>
      <form method="post" action="/sign-in">
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="username webauthn" required />
        <button type="submit">Email me a sign-in link</button>
      </form>
      <h2>New here?</h2>
      <form method="post" action="/sign-in">
        <label for="signup-name">Your name</label>
        <input id="signup-name" name="name" autocomplete="name" required />
        <label for="signup-email">Email</label>
        <input id="signup-email" name="email" type="email" autocomplete="email" required />
        <button type="submit">Sign up</button>
      </form>
      ${opts.demo ? html`<p>Developer: the emails sent here are at <a href="/dev/mail">/dev/mail</a>.</p>` : ''}`,
    { script: opts.script },
  );
}

export function linkSentPage(): Page {
  return layout(
    'Check your email',
    html`<h1>Check your email</h1>
      <p>If the address can sign in here, a link is on its way. It works once, within 15 minutes.</p>`,
  );
}

/** GET of a link: a button, so a mail scanner fetching the URL does not use the link up. */
export function confirmPage(token: string): Page {
  return layout(
    'Sign in',
    html`<h1>Sign in to Gavel</h1>
      <form method="post" action="/sign-in/link">
        <input type="hidden" name="token" value="${token}" />
        <button type="submit" id="confirm-sign-in">Sign in</button>
      </form>`,
  );
}

export function linkInvalidPage(): Page {
  return layout(
    'Link not valid',
    html`<h1>This link does not work any more</h1>
      <p>Sign-in links work once and within 15 minutes. <a href="/sign-in">Ask for a new one</a>.</p>`,
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
