/**
 * The bidder's own pages (docs/bidders.md): "my bidding" (profile, registrations, sales to register
 * for, won lots with the invoice, identity check), the registration with the sale's terms, and the
 * hand-off to the KYC vendor. Plain HTML forms, no script: they work before any bundle loads and
 * with the strict CSP of the sign-in pages. Values are escaped by hono/html's template.
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type {
  BidderOverview,
  BidderProfile,
  KycState,
  MyRegistration,
  RegistrationOffer,
  SaleForBidder,
  WonLot,
} from '../../common/contracts/bidder-self.ts';
import { PUSH_KINDS, type PushKind, type PushSettings } from '../../common/contracts/push.ts';
import { formatAmount, parseAmount } from '../../common/money.ts';
import { DEFAULT_LOCALE, translator, type Lang, type Translate } from '../../clients/src/i18n/index.ts';
import { withCurrency } from '../../clients/src/money.ts';
import { escapeText, langSwitch, translateMarkup } from '../i18n.ts';

type Page = HtmlEscapedString | Promise<HtmlEscapedString>;

/** A problem to show beside a field (or at the top when it names none). */
export interface FormProblem {
  message: string;
  field: string | undefined;
}

/** The page's language, its messages, and its money and dates (docs/bidders.md, "Languages"). */
interface Speech {
  lang: Lang;
  t: Translate;
  money: (amount: string | null, currency: string) => string;
  date: (iso: string | null) => string;
}

function speech(lang: Lang): Speech {
  const locale = DEFAULT_LOCALE[lang];
  return {
    lang,
    t: translator(lang),
    money: (amount, currency) => {
      if (amount === null) return '—';
      try {
        return withCurrency(formatAmount(parseAmount(amount, currency), currency), currency, locale);
      } catch {
        return `${currency} ${amount}`;
      }
    },
    date: (iso) =>
      iso === null
        ? '—'
        : new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : locale, {
            dateStyle: 'medium',
            timeStyle: 'short',
            timeZone: 'UTC',
          }) + ' UTC',
  };
}

const statusText = (t: Translate, status: MyRegistration['status']): string => t(`me.status.${status}`);

/**
 * `script`: our bundled script's URL (the push toggle), loaded as a module; none by default. `path`:
 * where the EN | FR switch comes back to.
 */
const layout = (sp: Speech, title: string, body: Page, path: string | undefined, script?: string): Page =>
  html`<!doctype html>
    <html lang="${sp.lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Gavel</title>
        ${script === undefined ? '' : html`<script type="module" src="${script}"></script>`}
        <style>
          :root {
            --ink: #1b1d21;
            --muted: #575e69;
            --line: #d9d4c7;
            --bg: #faf8f3;
            --card: #fff;
            --accent: #0b5cad;
            --danger: #b3261e;
            --ok: #1e7b34;
            --warn: #8a5300;
            color: var(--ink);
            background: var(--bg);
            font:
              16px/1.55 system-ui,
              -apple-system,
              'Segoe UI',
              Roboto,
              sans-serif;
          }
          * {
            box-sizing: border-box;
          }
          body {
            margin: 0;
          }
          header.top {
            border-bottom: 1px solid var(--line);
            background: var(--card);
          }
          header.top div,
          main {
            max-width: 46rem;
            margin: 0 auto;
            padding: 0.75rem 1rem;
          }
          header.top div {
            display: flex;
            flex-wrap: wrap;
            gap: 0.5rem 1.25rem;
            align-items: baseline;
          }
          .brand {
            font-family: Georgia, 'Times New Roman', serif;
            font-size: 1.35rem;
            letter-spacing: 0.08em;
            text-transform: uppercase;
            color: var(--ink);
            text-decoration: none;
            margin-right: auto;
          }
          h1,
          h2,
          h3 {
            font-family: Georgia, 'Times New Roman', serif;
            font-weight: normal;
            line-height: 1.25;
          }
          h1 {
            font-size: 2rem;
            margin: 1rem 0 0.5rem;
          }
          h2 {
            font-size: 1.4rem;
            margin: 2rem 0 0.75rem;
            padding-bottom: 0.3rem;
            border-bottom: 1px solid var(--line);
          }
          h3 {
            font-size: 1.15rem;
            margin: 0 0 0.4rem;
          }
          a {
            color: var(--accent);
          }
          a:focus-visible,
          button:focus-visible,
          input:focus-visible,
          select:focus-visible {
            outline: 3px solid var(--accent);
            outline-offset: 2px;
          }
          .card {
            background: var(--card);
            border: 1px solid var(--line);
            border-radius: 6px;
            padding: 1rem;
            margin: 0.75rem 0;
          }
          dl {
            display: grid;
            grid-template-columns: max-content 1fr;
            gap: 0.25rem 1rem;
            margin: 0.5rem 0;
          }
          dt {
            color: var(--muted);
          }
          dd {
            margin: 0;
            font-variant-numeric: tabular-nums;
          }
          dd.total {
            font-weight: 600;
          }
          label {
            display: block;
            margin: 0.9rem 0 0.25rem;
            font-weight: 600;
          }
          .hint {
            color: var(--muted);
            font-size: 0.92rem;
            margin: 0.2rem 0;
          }
          input,
          select {
            font: inherit;
            width: 100%;
            padding: 0.55rem 0.6rem;
            border: 1px solid #8a8f98;
            border-radius: 4px;
            background: var(--card);
            min-height: 44px;
          }
          input[aria-invalid='true'],
          select[aria-invalid='true'] {
            border-color: var(--danger);
          }
          fieldset {
            border: 1px solid var(--line);
            border-radius: 4px;
            margin: 0.9rem 0 0;
            padding: 0.5rem 0.9rem 0.75rem;
          }
          legend {
            font-weight: 600;
            padding: 0 0.25rem;
          }
          .check {
            display: flex;
            gap: 0.6rem;
            align-items: center;
            font-weight: normal;
            margin: 0.5rem 0;
          }
          .check input {
            width: 1.3rem;
            min-height: 1.3rem;
            height: 1.3rem;
            margin: 0;
          }
          button {
            font: inherit;
            margin-top: 1rem;
            padding: 0.6rem 1.3rem;
            min-height: 44px;
            border-radius: 4px;
            border: 1px solid var(--ink);
            background: var(--ink);
            color: #fff;
            cursor: pointer;
          }
          button.quiet {
            background: var(--card);
            color: var(--ink);
          }
          .error {
            color: var(--danger);
          }
          .notice {
            border-left: 4px solid var(--ok);
            background: var(--card);
            padding: 0.6rem 0.9rem;
          }
          .alert {
            border-left: 4px solid var(--danger);
            background: var(--card);
            padding: 0.6rem 0.9rem;
          }
          .status {
            display: inline-block;
            padding: 0.05rem 0.55rem;
            border-radius: 999px;
            border: 1px solid currentColor;
            font-size: 0.9rem;
          }
          .status-approved {
            color: var(--ok);
          }
          .status-pending {
            color: var(--warn);
          }
          .status-declined,
          .status-revoked {
            color: var(--danger);
          }
          .terms {
            background: var(--card);
            border: 1px solid var(--line);
            padding: 0.9rem;
            max-height: 22rem;
            overflow: auto;
            font-family: Georgia, 'Times New Roman', serif;
          }
          button.toggle {
            min-height: 48px;
            min-width: 48px;
          }
          .lang-switch {
            font-size: 0.9rem;
          }
          .lang-switch a[aria-current] {
            font-weight: 600;
            color: var(--ink);
            text-decoration: none;
          }
          @media (min-width: 48rem) {
            .pair {
              display: grid;
              grid-template-columns: 1fr 1fr;
              gap: 0 1rem;
            }
          }
        </style>
      </head>
      <body>
        <header class="top">
          <div>
            <a class="brand" href="/">Gavel</a>
            <nav aria-label="${sp.t('me.nav')}">
              <a href="/bid">${sp.t('me.nav.bid')}</a> ·
              <a href="/account/bidding">${sp.t('me.nav.bidding')}</a> ·
              <a href="/account">${sp.t('me.nav.account')}</a>
            </nav>
            ${path === undefined ? '' : raw(langSwitch(sp.lang, path))}
          </div>
        </header>
        <main>${body}</main>
      </body>
    </html>`;

const problemAt = (p: FormProblem | undefined, field: string): string | undefined =>
  p !== undefined && p.field === field ? p.message : undefined;

/** A labelled input with its hint and error wired by aria-describedby. */
function field(o: {
  id: string;
  name: string;
  label: string;
  value: string;
  hint?: string;
  error?: string | undefined;
  type?: string;
  autocomplete?: string;
  required?: boolean;
  inputmode?: string;
}): Page {
  const described = [o.hint === undefined ? '' : `${o.id}-hint`, o.error === undefined ? '' : `${o.id}-error`]
    .filter((s) => s !== '')
    .join(' ');
  return html`<label for="${o.id}">${o.label}</label>
    ${o.hint === undefined ? '' : html`<p class="hint" id="${o.id}-hint">${o.hint}</p>`}
    ${o.error === undefined ? '' : html`<p class="error" id="${o.id}-error">${o.error}</p>`}
    <input
      id="${o.id}"
      name="${o.name}"
      type="${o.type ?? 'text'}"
      value="${o.value}"
      ${o.autocomplete === undefined ? '' : html`autocomplete="${o.autocomplete}"`}
      ${o.inputmode === undefined ? '' : html`inputmode="${o.inputmode}"`}
      ${o.required === true ? 'required' : ''}
      ${described === '' ? '' : html`aria-describedby="${described}"`}
      ${o.error === undefined ? '' : html`aria-invalid="true"`}
    />`;
}

function topProblem(t: Translate, p: FormProblem | undefined, fields: readonly string[]): Page | string {
  if (p === undefined) return '';
  const at = p.field !== undefined && fields.includes(p.field);
  return html`<p class="alert" role="alert">
    ${at ? t('me.checkForm', { message: p.message }) : p.message}
  </p>`;
}

function profileForm(
  { t, lang }: Speech,
  profile: BidderProfile,
  csrf: string,
  countries: readonly { code: string; name: string }[],
  problem: FormProblem | undefined,
  entered: { name: string; phone: string; country: string; channels: string[] } | undefined,
): Page {
  const v = entered ?? {
    name: profile.name,
    phone: profile.phone ?? '',
    country: profile.country ?? '',
    channels: profile.channels,
  };
  const countryError = problemAt(problem, 'country');
  return html`<section aria-labelledby="profile-h">
    <h2 id="profile-h">${t('me.details')}</h2>
    ${profile.complete ? '' : html`<p class="notice">${t('me.detailsNeeded')}</p>`}
    ${topProblem(t, problem, ['name', 'phone', 'country', 'channels'])}
    <form method="post" action="/account/bidding/profile" class="card" novalidate>
      <input type="hidden" name="csrf" value="${csrf}" />
      <p>
        ${translateMarkup(lang, 'me.email', { email: `<strong>${escapeText(profile.email ?? '—')}</strong>` })}
        ${profile.emailVerified ? html`<span class="hint">${t('me.emailVerified')}</span>` : ''}
      </p>
      <div class="pair">
        <div>
          ${field({
            id: 'name',
            name: 'name',
            label: t('me.fullName'),
            value: v.name,
            autocomplete: 'name',
            required: true,
            error: problemAt(problem, 'name'),
          })}
        </div>
        <div>
          ${field({
            id: 'phone',
            name: 'phone',
            label: t('me.phone'),
            value: v.phone,
            type: 'tel',
            autocomplete: 'tel',
            hint: t('me.phoneHint'),
            required: true,
            error: problemAt(problem, 'phone'),
          })}
        </div>
      </div>
      <label for="country">${t('me.country')}</label>
      ${countryError === undefined ? '' : html`<p class="error" id="country-error">${countryError}</p>`}
      <select
        id="country"
        name="country"
        required
        autocomplete="country"
        ${countryError === undefined ? '' : html`aria-describedby="country-error" aria-invalid="true"`}
      >
        <option value="">${t('me.choose')}</option>
        ${countries.map(
          (c) => html`<option value="${c.code}" ${c.code === v.country ? 'selected' : ''}>${c.name}</option>`,
        )}
      </select>
      <fieldset>
        <legend>${t('me.channels')}</legend>
        <label class="check"
          ><input type="checkbox" checked disabled id="ch-email" /> ${t('me.channel.email')}</label
        >
        <label class="check"
          ><input
            type="checkbox"
            name="channels"
            value="sms"
            id="ch-sms"
            ${v.channels.includes('sms') ? 'checked' : ''}
          />
          ${t('me.channel.sms')}</label
        >
        <label class="check"
          ><input
            type="checkbox"
            name="channels"
            value="whatsapp"
            id="ch-whatsapp"
            ${v.channels.includes('whatsapp') ? 'checked' : ''}
          />
          ${t('me.channel.whatsapp')}</label
        >
      </fieldset>
      <button type="submit" id="save-profile">${t('me.save')}</button>
    </form>
  </section>`;
}

function registrationCard({ t, money, date }: Speech, r: MyRegistration): Page {
  return html`<article class="card" data-sale="${r.saleId}">
    <h3>${r.saleTitle}</h3>
    <p><span class="status status-${r.status}">${statusText(t, r.status)}</span></p>
    <dl>
      <dt>${t('me.paddle')}</dt>
      <dd>${r.paddle ?? '—'}</dd>
      <dt>${t('me.limit')}</dt>
      <dd>${money(r.limit, r.currency)}</dd>
      ${
        r.requestedLimit !== null && r.requestedLimit !== r.limit
          ? html`<dt>${t('me.askedFor')}</dt>
              <dd>${money(r.requestedLimit, r.currency)}</dd>`
          : ''
      }
      <dt>${t('me.terms')}</dt>
      <dd>
        ${
          r.currentTermsVersion === 0
            ? t('me.terms.none')
            : r.termsVersion === null
              ? t('me.terms.notAccepted')
              : t('me.terms.accepted', { version: r.termsVersion, date: date(r.termsAcceptedAt) })
        }
      </dd>
    </dl>
    ${
      r.termsToAccept
        ? html`<p class="alert">${t('me.termsChanged', { version: r.currentTermsVersion })}</p>
            <p>
              <a href="/account/sales/${r.saleId}/register">${t('me.readTerms', { sale: r.saleTitle })}</a>
            </p>`
        : ''
    }
    ${r.status === 'approved' && !r.termsToAccept ? html`<p><a href="/bid">${t('me.goToRoom')}</a></p>` : ''}
  </article>`;
}

function saleCard({ t, lang, date }: Speech, s: SaleForBidder): Page {
  return html`<article class="card" data-sale="${s.id}">
    <h3>${s.title}</h3>
    <p class="hint">
      ${t(s.mode === 'timed' ? 'me.mode.timed' : 'me.mode.live')} ·
      ${s.status === 'open' ? t('me.openNow') : t('me.opens', { date: date(s.startsAt) })}${
        s.endsAt === null ? '' : ` · ${t('me.ends', { date: date(s.endsAt) })}`
      }
    </p>
    ${
      s.registration === null
        ? html`<p>
            <a href="/account/sales/${s.id}/register" id="register-${s.id}"
              >${t('me.registerIn', { sale: s.title })}</a
            >
          </p>`
        : html`<p>
            ${t('me.registered', { status: statusText(t, s.registration.status).toLocaleLowerCase(lang) })}
          </p>`
    }
  </article>`;
}

function wonCard({ t, money, date }: Speech, w: WonLot): Page {
  return html`<article class="card" data-lot="${w.lotId}">
    <h3>${t('me.lotTitle', { number: w.lotNumber, title: w.title })}</h3>
    <p class="hint">${w.saleTitle} · ${date(w.decidedAt)}</p>
    <dl>
      <dt>${t('me.hammer')}</dt>
      <dd>${money(w.hammer, w.currency)}</dd>
      <dt>${t('me.premium')}</dt>
      <dd>${money(w.premium, w.currency)}</dd>
      <dt>${t('me.tax')}</dt>
      <dd>${money(w.tax, w.currency)}</dd>
      <dt>${t('me.totalDue')}</dt>
      <dd class="total">${money(w.total, w.currency)}</dd>
    </dl>
  </article>`;
}

function kycSection({ t, lang, date }: Speech, k: KycState, csrf: string, problem: string | undefined): Page {
  return html`<section aria-labelledby="kyc-h">
    <h2 id="kyc-h">${t('me.kyc.heading')}</h2>
    <p>
      ${translateMarkup(lang, 'me.kyc.yours', {
        status: `<strong id="kyc-status">${escapeText(t(`me.kyc.${k.status}`))}</strong>`,
      })}
    </p>
    ${problem === undefined ? '' : html`<p class="alert" role="alert">${problem}</p>`}
    ${
      k.status === 'verified'
        ? ''
        : k.required
          ? k.available
            ? html`<p>${t('me.kyc.why')}</p>
                ${
                  k.check?.status === 'requested'
                    ? html`<p>${t('me.kyc.underWay', { date: date(k.check.requestedAt) })}</p>`
                    : ''
                }
                <form method="post" action="/account/bidding/kyc">
                  <input type="hidden" name="csrf" value="${csrf}" />
                  <button type="submit" id="start-kyc">
                    ${t(k.check?.status === 'requested' ? 'me.kyc.continue' : 'me.kyc.start')}
                  </button>
                </form>`
            : html`<p>${t('me.kyc.house')}</p>`
          : html`<p class="hint">${t('me.kyc.notNeeded')}</p>`
    }
  </section>`;
}

export function biddingPage(o: {
  overview: BidderOverview;
  csrf: string;
  countries: readonly { code: string; name: string }[];
  flash?: string | undefined;
  problem?: FormProblem | undefined;
  kycProblem?: string | undefined;
  entered?: { name: string; phone: string; country: string; channels: string[] } | undefined;
  /** Web Push on this site, and the push script's URL (none: the section says so). */
  push?: { settings: PushSettings; script: string | undefined } | undefined;
  lang: Lang;
}): Page {
  const { overview: ov, csrf } = o;
  const sp = speech(o.lang);
  const { t } = sp;
  const toRegister = ov.sales.filter((s) => s.registration === null);
  return layout(
    sp,
    t('me.bidding.title'),
    html`<h1>${t('me.bidding.title')}</h1>
      <p class="hint">${t('me.signedInAs', { name: ov.profile.name, email: ov.profile.email ?? '' })}</p>
      ${o.flash === undefined ? '' : html`<p class="notice" role="status">${o.flash}</p>`}
      ${profileForm(sp, ov.profile, csrf, o.countries, o.problem, o.entered)}
      ${o.push === undefined ? '' : pushSection(sp, o.push.settings, csrf, o.push.script)}
      <section aria-labelledby="regs-h">
        <h2 id="regs-h">${t('me.registrations')}</h2>
        ${
          ov.registrations.length === 0
            ? html`<p>${t('me.noRegistrations')}</p>`
            : ov.registrations.map((r) => registrationCard(sp, r))
        }
      </section>
      <section aria-labelledby="sales-h">
        <h2 id="sales-h">${t('me.registerFor')}</h2>
        ${toRegister.length === 0 ? html`<p>${t('me.noSales')}</p>` : toRegister.map((s) => saleCard(sp, s))}
      </section>
      ${kycSection(sp, ov.kyc, csrf, o.kycProblem)}
      <section aria-labelledby="won-h">
        <h2 id="won-h">${t('me.won')}</h2>
        ${ov.won.length === 0 ? html`<p>${t('me.noneYet')}</p>` : ov.won.map((w) => wonCard(sp, w))}
      </section>`,
    '/account/bidding',
    o.push?.settings.publicKey === null ? undefined : o.push?.script,
  );
}

/**
 * Notifications on this device (docs/push-notifications.md): the toggle is the push script's
 * (clients/src/push-page.ts) — it needs a service worker and the browser's permission, so it stays
 * hidden until the script finds both possible, and says why when they are not.
 */
function pushSection({ t }: Speech, settings: PushSettings, csrf: string, script: string | undefined): Page {
  return html`<section aria-labelledby="push-h">
    <h2 id="push-h">${t('push.heading')}</h2>
    <p>${t('push.intro')}</p>
    ${
      settings.publicKey === null
        ? html`<p id="push-status">${t('push.notOffered')}</p>`
        : html`<div id="push" data-key="${settings.publicKey}" data-csrf="${csrf}">
            <p id="push-devices">${t('push.devices', { count: settings.devices })}</p>
            <button type="button" class="toggle" id="push-toggle" aria-pressed="false" hidden>
              ${t('push.turnOn')}
            </button>
            <p id="push-status" role="status" aria-live="polite">
              ${script === undefined ? t('push.noScript') : ''}
            </p>
            ${pushKinds(t, settings)}
          </div>`
    }
  </section>`;
}

/** What to be told of, for all the bidder's devices: a checkbox per kind, ticked unless turned off. */
function pushKinds(t: Translate, settings: PushSettings): Page {
  const label = (k: PushKind): string => t(`push.kind.${k}`);
  return html`<fieldset id="push-kinds" class="push-kinds">
    <legend>${t('push.when')}</legend>
    ${PUSH_KINDS.map(
      (k) =>
        html`<label class="check"
          ><input
            type="checkbox"
            name="push-kind"
            value="${k}"
            ${settings.muted.includes(k) ? '' : 'checked'}
          />
          ${label(k)}</label
        >`,
    )}
  </fieldset>`;
}

/** Text as paragraphs (blank lines) and line breaks, escaped. */
function paragraphs(text: string): Page[] {
  return text
    .split(/\n\s*\n/)
    .filter((p) => p.trim() !== '')
    .map((p) => html`<p>${p.split('\n').map((line, i) => (i === 0 ? line : html`<br />${line}`))}</p>`);
}

export function registerPage(o: {
  offer: RegistrationOffer;
  csrf: string;
  problem?: FormProblem | undefined;
  limit?: string | undefined;
  lang: Lang;
}): Page {
  const sp = speech(o.lang);
  const { t, money, date } = sp;
  const { sale, terms, profile } = o.offer;
  const reg = sale.registration;
  const limitError = problemAt(o.problem, 'limit');
  const acceptError = problemAt(o.problem, 'accept');
  const termsBlock =
    terms === null
      ? html`<p>${t('reg.noTerms')}</p>`
      : html`<h2 id="terms-h">${t('reg.termsHeading', { version: terms.version })}</h2>
          <p class="hint">${t('reg.published', { date: date(terms.publishedAt) })}</p>
          <div class="terms" id="terms" tabindex="0" role="region" aria-labelledby="terms-h">
            ${paragraphs(terms.body)}
          </div>`;
  let form: Page | string;
  if (reg !== null && !reg.termsToAccept) {
    const status = statusText(t, reg.status).toLocaleLowerCase(o.lang);
    form = html`<p class="notice">
        ${
          reg.paddle === null
            ? t('reg.youAreRegistered', { status })
            : t('reg.youAreRegisteredPaddle', { status, paddle: reg.paddle })
        }
      </p>
      <p><a href="/account/bidding">${t('reg.back')}</a></p>`;
  } else if (reg !== null && terms !== null) {
    form = html`<form method="post" action="/account/sales/${sale.id}/terms" class="card">
      <input type="hidden" name="csrf" value="${o.csrf}" />
      <input type="hidden" name="version" value="${terms.version}" />
      <p>${t('reg.acceptedOld', { old: reg.termsVersion ?? '—', version: terms.version })}</p>
      <button type="submit" id="accept-terms">${t('reg.acceptVersion', { version: terms.version })}</button>
    </form>`;
  } else if (!profile.complete) {
    form = html`<p class="alert">
      ${translateMarkup(o.lang, 'reg.completeFirst', {
        link: `<a href="/account/bidding#profile-h">${escapeText(t('reg.completeLink'))}</a>`,
      })}
    </p>`;
  } else {
    form = html`<form method="post" action="/account/sales/${sale.id}/register" class="card" novalidate>
      <input type="hidden" name="csrf" value="${o.csrf}" />
      <input type="hidden" name="termsVersion" value="${terms?.version ?? 0}" />
      ${topProblem(t, o.problem, ['limit', 'accept'])}
      ${field({
        id: 'limit',
        name: 'limit',
        label: t('reg.limitLabel', { currency: sale.currency }),
        value: o.limit ?? '',
        inputmode: 'decimal',
        hint: t('reg.limitHint', { amount: money(sale.kycFreeLimit, sale.currency) }),
        error: limitError,
      })}
      ${
        terms === null
          ? ''
          : html`${acceptError === undefined ? '' : html`<p class="error" id="accept-error">${acceptError}</p>`}
              <label class="check"
                ><input
                  type="checkbox"
                  name="accept"
                  value="yes"
                  id="accept"
                  required
                  ${acceptError === undefined ? '' : html`aria-describedby="accept-error" aria-invalid="true"`}
                />
                ${t('reg.accept', { version: terms.version })}</label
              >`
      }
      <button type="submit" id="register">${t('reg.ask')}</button>
      <p class="hint">${t('reg.reviews')}</p>
    </form>`;
  }
  return layout(
    sp,
    t('reg.title', { sale: sale.title }),
    html`<h1>${t('reg.heading')}</h1>
      <p><strong>${sale.title}</strong></p>
      <p class="hint">
        ${t(sale.mode === 'timed' ? 'me.mode.timed' : 'me.mode.live')} · ${sale.currency} ·
        ${sale.status === 'open' ? t('me.openNow') : t('me.opens', { date: date(sale.startsAt) })}
      </p>
      ${termsBlock} ${form}`,
    `/account/sales/${encodeURIComponent(sale.id)}/register`,
  );
}

/** After a check was started: where the vendor takes over. */
export function kycPage(k: KycState, lang: Lang): Page {
  const sp = speech(lang);
  const { t } = sp;
  // Only a web address is offered as a link (never javascript: or data: from a vendor's answer).
  const given = k.check?.verificationUrl ?? null;
  const url = given !== null && /^https?:\/\//i.test(given) ? given : null;
  return layout(
    sp,
    t('me.kyc.heading'),
    html`<h1>${t('me.kyc.heading')}</h1>
      ${
        k.status === 'verified'
          ? html`<p class="notice" role="status">${t('kyc.verified')}</p>`
          : url !== null
            ? html`<p>${t('kyc.vendor')}</p>
                <p><a href="${url}" id="kyc-vendor" rel="noreferrer">${t('kyc.continue')}</a></p>
                <p class="hint">${t('kyc.after')}</p>`
            : html`<p>${t('kyc.started')}</p>`
      }
      <p><a href="/account/bidding">${t('reg.back')}</a></p>`,
    // No switch: the page answers a POST, and going back to it would start another check.
    undefined,
  );
}

/** A staff account has no bidder profile. */
export function notABidderPage(lang: Lang): Page {
  const sp = speech(lang);
  const { t } = sp;
  return layout(
    sp,
    t('staff.title'),
    html`<h1>${t('staff.heading')}</h1>
      <p>
        ${translateMarkup(lang, 'staff.body', { link: `<a href="/account">${escapeText(t('staff.back'))}</a>` })}
      </p>`,
    undefined,
  );
}
