/**
 * The account page (passkeys, the staff's authenticator app, sign-out), the sign-in's code step,
 * and the authenticator app's set-up pages. Plain forms; the passkey buttons need the bundled
 * script (clients/src/passkey-page.ts) and stay hidden without it.
 */
import { html, raw } from 'hono/html';
import type { PasskeyInfo, TotpStatus } from '../../common/accounts.ts';
import { translator, type Lang } from '../../clients/src/i18n/index.ts';
import { layout, type Page } from './pages.ts';

const NOTICES = ['passkey-added', 'passkey-removed', 'totp-removed'] as const;
const isNotice = (n: string | undefined): n is (typeof NOTICES)[number] =>
  (NOTICES as readonly string[]).includes(n ?? '');

const day = (iso: string): string => iso.slice(0, 10);

export function accountPage(a: {
  name: string;
  email: string;
  csrf: string;
  passkeys: PasskeyInfo[];
  /** Staff only. */
  totp: TotpStatus | undefined;
  admin: boolean;
  /** Bidders: a link to their bidding (details, registrations, won lots). */
  bidder?: boolean;
  script: string | undefined;
  notice?: string | undefined;
  error?: string | undefined;
  /** A bidder's language (with the EN | FR switch); staff's page is English (docs/bidders.md). */
  lang?: Lang | undefined;
}): Page {
  const t = translator(a.lang ?? 'en');
  const notice = isNotice(a.notice) ? t(`acct.notice.${a.notice}`) : undefined;
  return layout(
    t('acct.title'),
    html`<h1>${t('acct.signedInAs', { name: a.name })}</h1>
      <p class="muted">${a.email}</p>
      ${notice === undefined ? '' : html`<p class="notice" role="status">${notice}</p>`}
      ${a.error === undefined ? '' : html`<p class="error" role="alert">${a.error}</p>`}
      ${a.admin ? html`<p><a href="/admin/staff">Manage staff</a></p>` : ''}
      ${a.bidder === true ? html`<p><a href="/account/bidding">${t('acct.bidding')}</a></p>` : ''}

      <h2>${t('acct.passkeys')}</h2>
      <p>${t('acct.passkeysIntro')}</p>
      ${
        a.passkeys.length === 0
          ? html`<p class="muted" id="no-passkeys">${t('acct.noPasskey')}</p>`
          : html`<ul class="plain" id="passkeys">
              ${a.passkeys.map(
                (p) =>
                  html`<li class="card row">
                    <span
                      ><strong>${p.name}</strong><br /><span class="muted"
                        >${t('acct.added', { date: day(p.createdAt) })}${
                          p.lastUsedAt === null ? '' : t('acct.lastUsed', { date: day(p.lastUsedAt) })
                        }</span
                      ></span
                    >
                    <form method="post" action="/account/passkeys/remove" class="inline">
                      <input type="hidden" name="csrf" value="${a.csrf}" />
                      <input type="hidden" name="id" value="${p.id}" />
                      <button
                        type="submit"
                        class="danger"
                        aria-label="${t('acct.removeLabel', { name: p.name })}"
                      >
                        ${t('acct.remove')}
                      </button>
                    </form>
                  </li>`,
              )}
            </ul>`
      }
      <form id="add-passkey" data-csrf="${a.csrf}" hidden>
        <label for="passkey-name">${t('acct.nameIt')}</label>
        <input id="passkey-name" name="name" maxlength="60" value="${t('acct.defaultName')}" required />
        <button type="submit">${t('acct.add')}</button>
        <p id="passkey-status" role="status" aria-live="polite"></p>
      </form>
      ${a.script === undefined ? html`<p class="muted">${t('acct.noScript')}</p>` : ''}
      ${a.totp === undefined ? '' : totpSection(a.csrf, a.totp)}

      <h2>${t('acct.signOut')}</h2>
      <form method="post" action="/sign-out" class="inline">
        <input type="hidden" name="csrf" value="${a.csrf}" />
        <button type="submit">${t('acct.signOut')}</button>
      </form>
      <form method="post" action="/sign-out?everywhere=1" class="inline">
        <input type="hidden" name="csrf" value="${a.csrf}" />
        <button type="submit" class="quiet">${t('acct.signOutEverywhere')}</button>
      </form>`,
    { script: a.script, lang: a.lang === undefined ? undefined : { lang: a.lang, path: '/account' } },
  );
}

function totpSection(csrf: string, totp: TotpStatus): Page {
  return html`<h2>Authenticator app</h2>
    ${
      totp.confirmed
        ? html`<p>
              On: every sign-in asks for a code from your app. ${totp.recoveryCodesLeft} recovery codes left.
            </p>
            <form method="post" action="/account/totp/remove">
              <input type="hidden" name="csrf" value="${csrf}" />
              <label for="remove-code">A code from the app (or a recovery code) to turn it off</label>
              <input id="remove-code" name="code" autocomplete="one-time-code" required />
              <button type="submit" class="danger">Turn off</button>
            </form>`
        : html`<p>
              Off. Staff can add a second step to every sign-in: a 6-digit code from an authenticator app.
            </p>
            <form method="post" action="/account/totp">
              <input type="hidden" name="csrf" value="${csrf}" />
              <button type="submit">Set up an authenticator app</button>
            </form>`
    }`;
}

/** The set-up: the QR code (inline SVG), the otpauth:// URI and the secret to type, and the confirming code. */
export function totpSetupPage(a: {
  csrf: string;
  uri: string;
  secret: string;
  qr: string;
  error?: string | undefined;
}): Page {
  return layout(
    'Set up your authenticator app',
    html`<h1>Set up your authenticator app</h1>
      <p>Scan the code with your authenticator app, or type the key into it.</p>
      <!-- SVG markup the qrcode library made from our own URI: not user input. -->
      <div class="qr" role="img" aria-label="QR code of the authenticator set-up link">${raw(a.qr)}</div>
      <p>Key: <code id="totp-secret">${a.secret}</code></p>
      <details>
        <summary>Set-up link</summary>
        <p><code id="totp-uri">${a.uri}</code></p>
      </details>
      ${a.error === undefined ? '' : html`<p class="error" role="alert">${a.error}</p>`}
      <form method="post" action="/account/totp/confirm">
        <input type="hidden" name="csrf" value="${a.csrf}" />
        <input type="hidden" name="uri" value="${a.uri}" />
        <label for="totp-code">The 6-digit code the app shows</label>
        <input
          id="totp-code"
          name="code"
          inputmode="numeric"
          autocomplete="one-time-code"
          maxlength="9"
          required
        />
        <button type="submit">Confirm</button>
      </form>
      <p><a href="/account">Cancel</a></p>`,
  );
}

export function recoveryCodesPage(codes: string[]): Page {
  return layout(
    'Recovery codes',
    html`<h1>Your authenticator app is on</h1>
      <p>
        From now on every sign-in asks for a code. Keep these recovery codes somewhere safe: each one signs
        you in once if you lose your phone. They are shown only now.
      </p>
      <pre id="recovery-codes">${codes.join('\n')}</pre>
      <p><a href="/account">Back to your account</a></p>`,
  );
}

/** The sign-in's second step: the code from the app (or a recovery code). */
export function codePage(a: { name: string; csrf: string; error?: string | undefined }): Page {
  return layout(
    'Your code',
    html`<h1>One more step, ${a.name}</h1>
      <p>Enter the 6-digit code your authenticator app shows, or one of your recovery codes.</p>
      ${a.error === undefined ? '' : html`<p class="error" role="alert">${a.error}</p>`}
      <form method="post" action="/sign-in/code">
        <input type="hidden" name="csrf" value="${a.csrf}" />
        <label for="code">Code</label>
        <input id="code" name="code" autocomplete="one-time-code" maxlength="24" required autofocus />
        <button type="submit">Continue</button>
      </form>`,
  );
}

/** A short page saying what went wrong, with the way back. */
export function problemPage(title: string, message: string, back: string): Page {
  return layout(
    title,
    html`<h1>${title}</h1>
      <p class="error" role="alert">${message}</p>
      <p><a href="${back}">Back</a></p>`,
  );
}
