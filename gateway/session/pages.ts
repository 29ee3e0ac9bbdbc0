/**
 * The sign-in pages: plain HTML forms, no script (they work before any bundle loads). Values are
 * escaped by hono/html's template.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { SentMail } from '../../common/accounts.ts';

type Page = HtmlEscapedString | Promise<HtmlEscapedString>;

const layout = (title: string, body: Page): Page =>
  html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Gavel</title>
        <style>
          body {
            font:
              16px/1.5 system-ui,
              sans-serif;
            max-width: 32rem;
            margin: 2rem auto;
            padding: 0 1rem;
          }
          label {
            display: block;
            margin: 0.75rem 0 0.25rem;
          }
          input {
            font: inherit;
            width: 100%;
            padding: 0.5rem;
            box-sizing: border-box;
          }
          button {
            font: inherit;
            margin-top: 1rem;
            padding: 0.6rem 1.2rem;
          }
          pre {
            white-space: pre-wrap;
            background: #f4f4f4;
            padding: 0.75rem;
          }
          .error {
            color: #a00;
          }
        </style>
      </head>
      <body>
        <main>${body}</main>
      </body>
    </html>`;

export function signInPage(opts: { error?: string | undefined; demo: boolean }): Page {
  return layout(
    'Sign in',
    html`<h1>Sign in to Gavel</h1>
      <p>We email you a link that signs you in. No password.</p>
      ${opts.error === undefined ? '' : html`<p class="error" role="alert">${opts.error}</p>`}
      <form method="post" action="/sign-in">
        <label for="email">Email</label>
        <input id="email" name="email" type="email" autocomplete="email" required />
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

export function accountPage(a: { name: string; email: string; csrf: string }): Page {
  return layout(
    'Your account',
    html`<h1>Signed in as ${a.name}</h1>
      <p>${a.email}</p>
      <p><a href="/account/bidding">My bidding: details, registrations, won lots</a></p>
      <form method="post" action="/sign-out">
        <input type="hidden" name="csrf" value="${a.csrf}" />
        <button type="submit">Sign out</button>
      </form>
      <form method="post" action="/sign-out?everywhere=1">
        <input type="hidden" name="csrf" value="${a.csrf}" />
        <button type="submit">Sign out everywhere</button>
      </form>`,
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
