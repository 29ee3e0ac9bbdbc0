/**
 * The bidder's own pages (docs/bidders.md): "my bidding" (profile, registrations, sales to register
 * for, won lots with the invoice, identity check), the registration with the sale's terms, and the
 * hand-off to the KYC vendor. Plain HTML forms, no script: they work before any bundle loads and
 * with the strict CSP of the sign-in pages. Values are escaped by hono/html's template.
 */
import { html } from 'hono/html';
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
import { displayAmount, parseAmount } from '../../common/money.ts';

type Page = HtmlEscapedString | Promise<HtmlEscapedString>;

/** A problem to show beside a field (or at the top when it names none). */
export interface FormProblem {
  message: string;
  field: string | undefined;
}

const money = (amount: string | null, currency: string): string => {
  if (amount === null) return '—';
  try {
    return displayAmount(parseAmount(amount, currency), currency);
  } catch {
    return `${currency} ${amount}`;
  }
};
const date = (iso: string | null): string =>
  iso === null
    ? '—'
    : new Date(iso).toLocaleString('en-GB', {
        dateStyle: 'medium',
        timeStyle: 'short',
        timeZone: 'UTC',
      }) + ' UTC';

const STATUS_TEXT: Record<MyRegistration['status'], string> = {
  pending: 'Awaiting the house’s approval',
  approved: 'Approved to bid',
  declined: 'Not approved',
  revoked: 'Approval withdrawn',
};

/** `script`: our bundled script's URL (the push toggle), loaded as a module; none by default. */
const layout = (title: string, body: Page, script?: string): Page =>
  html`<!doctype html>
    <html lang="en">
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
            <nav aria-label="Account">
              <a href="/bid">Bid online</a> · <a href="/account/bidding">My bidding</a> ·
              <a href="/account">Account</a>
            </nav>
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

function topProblem(p: FormProblem | undefined, fields: readonly string[]): Page | string {
  if (p === undefined) return '';
  const at = p.field !== undefined && fields.includes(p.field);
  return html`<p class="alert" role="alert">${at ? 'Please check the form: ' : ''}${p.message}</p>`;
}

function profileForm(
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
    <h2 id="profile-h">Your details</h2>
    ${
      profile.complete
        ? ''
        : html`<p class="notice">Give your phone number and country to register for sales.</p>`
    }
    ${topProblem(problem, ['name', 'phone', 'country', 'channels'])}
    <form method="post" action="/account/bidding/profile" class="card" novalidate>
      <input type="hidden" name="csrf" value="${csrf}" />
      <p>
        Email: <strong>${profile.email ?? '—'}</strong>
        ${
          profile.emailVerified
            ? html`<span class="hint">(verified: you signed in with a link sent to it)</span>`
            : ''
        }
      </p>
      <div class="pair">
        <div>
          ${field({
            id: 'name',
            name: 'name',
            label: 'Full name',
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
            label: 'Mobile phone',
            value: v.phone,
            type: 'tel',
            autocomplete: 'tel',
            hint: 'International format, e.g. +44 7700 900123',
            required: true,
            error: problemAt(problem, 'phone'),
          })}
        </div>
      </div>
      <label for="country">Country</label>
      ${countryError === undefined ? '' : html`<p class="error" id="country-error">${countryError}</p>`}
      <select
        id="country"
        name="country"
        required
        autocomplete="country"
        ${countryError === undefined ? '' : html`aria-describedby="country-error" aria-invalid="true"`}
      >
        <option value="">Choose…</option>
        ${countries.map(
          (c) => html`<option value="${c.code}" ${c.code === v.country ? 'selected' : ''}>${c.name}</option>`,
        )}
      </select>
      <fieldset>
        <legend>Tell me about approvals and results by</legend>
        <label class="check"><input type="checkbox" checked disabled id="ch-email" /> Email (always)</label>
        <label class="check"
          ><input
            type="checkbox"
            name="channels"
            value="sms"
            id="ch-sms"
            ${v.channels.includes('sms') ? 'checked' : ''}
          />
          Text message (SMS)</label
        >
        <label class="check"
          ><input
            type="checkbox"
            name="channels"
            value="whatsapp"
            id="ch-whatsapp"
            ${v.channels.includes('whatsapp') ? 'checked' : ''}
          />
          WhatsApp</label
        >
      </fieldset>
      <button type="submit" id="save-profile">Save details</button>
    </form>
  </section>`;
}

function registrationCard(r: MyRegistration): Page {
  return html`<article class="card" data-sale="${r.saleId}">
    <h3>${r.saleTitle}</h3>
    <p><span class="status status-${r.status}">${STATUS_TEXT[r.status]}</span></p>
    <dl>
      <dt>Paddle</dt>
      <dd>${r.paddle ?? '—'}</dd>
      <dt>Limit</dt>
      <dd>${money(r.limit, r.currency)}</dd>
      ${
        r.requestedLimit !== null && r.requestedLimit !== r.limit
          ? html`<dt>You asked for</dt>
              <dd>${money(r.requestedLimit, r.currency)}</dd>`
          : ''
      }
      <dt>Terms</dt>
      <dd>
        ${
          r.currentTermsVersion === 0
            ? 'none'
            : r.termsVersion === null
              ? 'not accepted'
              : `version ${r.termsVersion} accepted ${date(r.termsAcceptedAt)}`
        }
      </dd>
    </dl>
    ${
      r.termsToAccept
        ? html`<p class="alert">
              The terms of this sale changed (now version ${r.currentTermsVersion}). Read and accept them to
              bid.
            </p>
            <p><a href="/account/sales/${r.saleId}/register">Read the terms of ${r.saleTitle}</a></p>`
        : ''
    }
    ${r.status === 'approved' && !r.termsToAccept ? html`<p><a href="/bid">Go to the sale room</a></p>` : ''}
  </article>`;
}

function saleCard(s: SaleForBidder): Page {
  return html`<article class="card" data-sale="${s.id}">
    <h3>${s.title}</h3>
    <p class="hint">
      ${s.mode === 'timed' ? 'Timed sale' : 'Live sale'} ·
      ${s.status === 'open' ? 'open now' : `opens ${date(s.startsAt)}`}${
        s.endsAt === null ? '' : ` · ends ${date(s.endsAt)}`
      }
    </p>
    ${
      s.registration === null
        ? html`<p>
            <a href="/account/sales/${s.id}/register" id="register-${s.id}">Register to bid in ${s.title}</a>
          </p>`
        : html`<p>Registered: ${STATUS_TEXT[s.registration.status].toLowerCase()}.</p>`
    }
  </article>`;
}

function wonCard(w: WonLot): Page {
  return html`<article class="card" data-lot="${w.lotId}">
    <h3>Lot ${w.lotNumber}: ${w.title}</h3>
    <p class="hint">${w.saleTitle} · ${date(w.decidedAt)}</p>
    <dl>
      <dt>Hammer</dt>
      <dd>${money(w.hammer, w.currency)}</dd>
      <dt>Buyer’s premium</dt>
      <dd>${money(w.premium, w.currency)}</dd>
      <dt>Tax</dt>
      <dd>${money(w.tax, w.currency)}</dd>
      <dt>Total due</dt>
      <dd class="total">${money(w.total, w.currency)}</dd>
    </dl>
  </article>`;
}

const KYC_TEXT: Record<KycState['status'], string> = {
  pending: 'not verified yet',
  verified: 'verified',
  rejected: 'not accepted by the verifier',
  expired: 'expired: verify again',
};

function kycSection(k: KycState, csrf: string, problem: string | undefined): Page {
  return html`<section aria-labelledby="kyc-h">
    <h2 id="kyc-h">Identity check</h2>
    <p>Your identity: <strong id="kyc-status">${KYC_TEXT[k.status]}</strong>.</p>
    ${problem === undefined ? '' : html`<p class="alert" role="alert">${problem}</p>`}
    ${
      k.status === 'verified'
        ? ''
        : k.required
          ? k.available
            ? html`<p>
                  The limit of a registration is above what the sale allows without an identity check. Our
                  verification partner checks an identity document in a few minutes.
                </p>
                ${
                  k.check?.status === 'requested'
                    ? html`<p>A check is under way (started ${date(k.check.requestedAt)}).</p>`
                    : ''
                }
                <form method="post" action="/account/bidding/kyc">
                  <input type="hidden" name="csrf" value="${csrf}" />
                  <button type="submit" id="start-kyc">
                    ${k.check?.status === 'requested' ? 'Continue the identity check' : 'Verify my identity'}
                  </button>
                </form>`
            : html`<p>
                The limit of a registration is above what the sale allows without an identity check. The house
                verifies identities itself here: it will contact you.
              </p>`
          : html`<p class="hint">Not needed for your registrations so far.</p>`
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
}): Page {
  const { overview: ov, csrf } = o;
  const toRegister = ov.sales.filter((s) => s.registration === null);
  return layout(
    'My bidding',
    html`<h1>My bidding</h1>
      <p class="hint">Signed in as ${ov.profile.name} · ${ov.profile.email ?? ''}</p>
      ${o.flash === undefined ? '' : html`<p class="notice" role="status">${o.flash}</p>`}
      ${profileForm(ov.profile, csrf, o.countries, o.problem, o.entered)}
      ${o.push === undefined ? '' : pushSection(o.push.settings, csrf, o.push.script)}
      <section aria-labelledby="regs-h">
        <h2 id="regs-h">Registrations</h2>
        ${
          ov.registrations.length === 0
            ? html`<p>You are not registered for any sale yet.</p>`
            : ov.registrations.map(registrationCard)
        }
      </section>
      <section aria-labelledby="sales-h">
        <h2 id="sales-h">Register for a sale</h2>
        ${
          toRegister.length === 0
            ? html`<p>No other sale is open for registration just now.</p>`
            : toRegister.map(saleCard)
        }
      </section>
      ${kycSection(ov.kyc, csrf, o.kycProblem)}
      <section aria-labelledby="won-h">
        <h2 id="won-h">Lots you won</h2>
        ${ov.won.length === 0 ? html`<p>None yet.</p>` : ov.won.map(wonCard)}
      </section>`,
    o.push?.settings.publicKey === null ? undefined : o.push?.script,
  );
}

/**
 * Notifications on this device (docs/push-notifications.md): the toggle is the push script's
 * (clients/src/push-page.ts) — it needs a service worker and the browser's permission, so it stays
 * hidden until the script finds both possible, and says why when they are not.
 */
function pushSection(settings: PushSettings, csrf: string, script: string | undefined): Page {
  const devices =
    settings.devices === 0
      ? 'Off on all your devices.'
      : `On for ${settings.devices} ${settings.devices === 1 ? 'device' : 'devices'}.`;
  return html`<section aria-labelledby="push-h">
    <h2 id="push-h">Notifications on this device</h2>
    <p>
      Be told on this phone or computer when you are outbid, when a timed lot you bid on closes soon, when a
      live lot you left a bid on is two lots away, and when you win. They say which lot and its price, never
      your maximum.
    </p>
    ${
      settings.publicKey === null
        ? html`<p id="push-status">Notifications on this device are not offered here.</p>`
        : html`<div id="push" data-key="${settings.publicKey}" data-csrf="${csrf}">
            <p id="push-devices">${devices}</p>
            <button type="button" class="toggle" id="push-toggle" aria-pressed="false" hidden>
              Turn on notifications
            </button>
            <p id="push-status" role="status" aria-live="polite">
              ${script === undefined ? 'Notifications need this site’s script, which is not served here.' : ''}
            </p>
            ${pushKinds(settings)}
          </div>`
    }
  </section>`;
}

/** What to be told of, for all the bidder's devices: a checkbox per kind, ticked unless turned off. */
function pushKinds(settings: PushSettings): Page {
  const labels: Record<PushKind, string> = {
    outbid: 'Outbid',
    closing_soon: 'A lot you bid on closes soon',
    coming_up: 'A live lot you left a bid on is coming up',
    won: 'You won',
  };
  return html`<fieldset id="push-kinds" class="push-kinds">
    <legend>Tell me when</legend>
    ${PUSH_KINDS.map(
      (k) =>
        html`<label class="check"
          ><input
            type="checkbox"
            name="push-kind"
            value="${k}"
            ${settings.muted.includes(k) ? '' : 'checked'}
          />
          ${labels[k]}</label
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
}): Page {
  const { sale, terms, profile } = o.offer;
  const reg = sale.registration;
  const limitError = problemAt(o.problem, 'limit');
  const acceptError = problemAt(o.problem, 'accept');
  const termsBlock =
    terms === null
      ? html`<p>This sale has no terms of its own to accept.</p>`
      : html`<h2 id="terms-h">Terms of sale, version ${terms.version}</h2>
          <p class="hint">Published ${date(terms.publishedAt)}</p>
          <div class="terms" id="terms" tabindex="0" role="region" aria-labelledby="terms-h">
            ${paragraphs(terms.body)}
          </div>`;
  let form: Page | string;
  if (reg !== null && !reg.termsToAccept) {
    form = html`<p class="notice">
        You are registered:
        ${STATUS_TEXT[reg.status].toLowerCase()}${reg.paddle === null ? '' : `, paddle ${reg.paddle}`}.
      </p>
      <p><a href="/account/bidding">Back to my bidding</a></p>`;
  } else if (reg !== null && terms !== null) {
    form = html`<form method="post" action="/account/sales/${sale.id}/terms" class="card">
      <input type="hidden" name="csrf" value="${o.csrf}" />
      <input type="hidden" name="version" value="${terms.version}" />
      <p>You accepted version ${reg.termsVersion ?? '—'}; the terms are now version ${terms.version}.</p>
      <button type="submit" id="accept-terms">I accept version ${terms.version} of the terms</button>
    </form>`;
  } else if (!profile.complete) {
    form = html`<p class="alert">
      Complete your details first: <a href="/account/bidding#profile-h">give your phone and country</a>.
    </p>`;
  } else {
    form = html`<form method="post" action="/account/sales/${sale.id}/register" class="card" novalidate>
      <input type="hidden" name="csrf" value="${o.csrf}" />
      <input type="hidden" name="termsVersion" value="${terms?.version ?? 0}" />
      ${topProblem(o.problem, ['limit', 'accept'])}
      ${field({
        id: 'limit',
        name: 'limit',
        label: `The limit you ask for (${sale.currency}, optional)`,
        value: o.limit ?? '',
        inputmode: 'decimal',
        hint: `The most you mean to spend in this sale, e.g. 5000.00. Above ${money(sale.kycFreeLimit, sale.currency)} the house needs your identity verified.`,
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
                I have read and accept the terms of sale (version ${terms.version})</label
              >`
      }
      <button type="submit" id="register">Ask to register</button>
      <p class="hint">The house reviews each registration; you are told by email when it decides.</p>
    </form>`;
  }
  return layout(
    `Register: ${sale.title}`,
    html`<h1>Register to bid</h1>
      <p><strong>${sale.title}</strong></p>
      <p class="hint">
        ${sale.mode === 'timed' ? 'Timed sale' : 'Live sale'} · ${sale.currency} ·
        ${sale.status === 'open' ? 'open now' : `opens ${date(sale.startsAt)}`}
      </p>
      ${termsBlock} ${form}`,
  );
}

/** After a check was started: where the vendor takes over. */
export function kycPage(k: KycState): Page {
  // Only a web address is offered as a link (never javascript: or data: from a vendor's answer).
  const given = k.check?.verificationUrl ?? null;
  const url = given !== null && /^https?:\/\//i.test(given) ? given : null;
  return layout(
    'Identity check',
    html`<h1>Identity check</h1>
      ${
        k.status === 'verified'
          ? html`<p class="notice" role="status">Your identity is verified.</p>`
          : url !== null
            ? html`<p>Our verification partner checks your identity document. It takes a few minutes.</p>
                <p><a href="${url}" id="kyc-vendor" rel="noreferrer">Continue to the identity check</a></p>
                <p class="hint">When it is done, your status on “My bidding” changes.</p>`
            : html`<p>The check has started; the verifier will contact you by email.</p>`
      }
      <p><a href="/account/bidding">Back to my bidding</a></p>`,
  );
}

/** A staff account has no bidder profile. */
export function notABidderPage(): Page {
  return layout(
    'Not a bidder account',
    html`<h1>This is a staff account</h1>
      <p>Bidding registrations belong to bidder accounts. <a href="/account">Back to your account</a>.</p>`,
  );
}
