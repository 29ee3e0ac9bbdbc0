/**
 * A signed-in bidder's own pages and JSON (docs/bidders.md), on the cookie session of
 * gateway/session: profile, register for a sale with its terms, accept changed terms, "my bidding"
 * (registrations, won lots with the invoice), and the hand-off to the KYC vendor.
 * - pages: GET /account/bidding, POST /account/bidding/profile, POST /account/bidding/kyc,
 *   GET/POST /account/sales/:saleId/register, POST /account/sales/:saleId/terms;
 * - JSON: GET /v1/me/bidding, PUT /v1/me/profile, GET /v1/me/sales/:saleId,
 *   POST /v1/me/sales/:saleId/registration, POST /v1/me/sales/:saleId/terms, POST /v1/me/kyc,
 *   GET/PUT/DELETE /v1/me/push (this browser's Web Push subscription, docs/push-notifications.md).
 * Every request must come from PUBLIC_ORIGIN; the state-changing ones carry the session's CSRF
 * token (the `csrf` form field, or `X-CSRF-Token`). The back office is reached through a port.
 */
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import type { AccountsPort, ResolvedSession } from '../../common/accounts.ts';
import type { BidderSelfPort } from '../../common/bidder-self.ts';
import { CONTACT_CHANNELS, type ProfileInput } from '../../common/contracts/bidder-self.ts';
import { AppError } from '../../common/errors.ts';
import { readBodyText, readJson } from '../../common/http-body.ts';
import { readSessionCookie } from '../session/cookie.ts';
import { csrfTokenFor, csrfTokenMatches, sameOrigin } from '../session/csrf.ts';
import { countryOptions } from '../../common/countries.ts';
import { PUSH_ENDPOINT_MAX, PUSH_KINDS } from '../../common/contracts/push.ts';
import { checkSubscription } from '../../common/push.ts';
import type { ClientAssets } from '../routes/clients.ts';
import { translate } from '../../clients/src/i18n/index.ts';
import { langHeaders, langOf } from '../i18n.ts';
import { biddingPage, kycPage, notABidderPage, registerPage, type FormProblem } from './pages.ts';

export interface MeRoutesDeps {
  /** The back office's accounts (the cookie's session). */
  accounts: AccountsPort | Promise<AccountsPort | undefined> | undefined;
  /** The back office's bidder self-service; a promise when it starts after the gateway (embedded). */
  bidders: BidderSelfPort | Promise<BidderSelfPort | undefined> | undefined;
  /** PUBLIC_ORIGIN: the only origin whose requests the cookie authenticates. */
  publicOrigin: string;
  /** The bundled clients: the push toggle's script (none: the page says notifications need it). */
  clients?: Promise<ClientAssets> | undefined;
}

const profileBody = z.strictObject({
  name: z.string({ error: 'name is required' }).max(200),
  phone: z.string({ error: 'phone is required' }).max(60),
  country: z.string({ error: 'country is required' }).max(10),
  channels: z.array(z.enum(CONTACT_CHANNELS)).max(3).default([]),
});
const registerBody = z.strictObject({
  termsVersion: z.number().int().min(0),
  accept: z.boolean(),
  limit: z.string().max(40).optional(),
});
const termsBody = z.strictObject({ version: z.number().int().min(1) });
/** `PushSubscription.toJSON()` as browsers send it (`expirationTime` is null in every browser today). */
const pushBody = z.object({
  endpoint: z.string().min(1).max(PUSH_ENDPOINT_MAX),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({ p256dh: z.string().min(1).max(200), auth: z.string().min(1).max(100) }),
});
const pushEndpoint = z.strictObject({ endpoint: z.string().min(1).max(PUSH_ENDPOINT_MAX) });
/** The kinds of push turned off: `{ "muted": ["outbid", …] }` (each of outbid, closing_soon, coming_up, won). */
const pushKinds = z.strictObject({
  muted: z
    .array(z.enum(PUSH_KINDS, { error: `muted: each of ${PUSH_KINDS.join(', ')}` }))
    .max(PUSH_KINDS.length),
});

/** Codes a form shows on its page (the person can fix them); anything else is the error handler's. */
const FORM_CODES: ReadonlySet<string> = new Set([
  'VALIDATION_FAILED',
  'CONTACT_TAKEN',
  'TERMS_VERSION',
  'ALREADY_REGISTERED',
  'PROFILE_INCOMPLETE',
  'CDD_REQUIRED',
  'BAD_AMOUNT',
  'BAD_SCALE',
  'AMOUNT_TOO_LARGE',
  'PADDLES_EXHAUSTED',
  'NOT_REGISTERED',
  'SALE_LOCKED',
]);

const problemOf = (err: unknown): FormProblem | undefined => {
  if (!(err instanceof AppError) || !FORM_CODES.has(err.code)) return undefined;
  const f = err.details?.field;
  return { message: err.message, field: typeof f === 'string' ? f : undefined };
};

/** The status of a refusal shown on a page. */
const statusOf = (err: unknown): ContentfulStatusCode =>
  (err instanceof AppError ? err.status : 400) as ContentfulStatusCode;

/** A whole number from a form field, or NaN. */
const formInt = (v: string | null): number => (v !== null && /^\d{1,9}$/.test(v) ? Number(v) : NaN);

export function meRoutes(deps: MeRoutesDeps): Hono {
  const app = new Hono();
  const secure = new URL(deps.publicOrigin).protocol === 'https:';
  const countries = countryOptions();

  const accounts = async (): Promise<AccountsPort> => {
    const p = await deps.accounts;
    if (p === undefined)
      throw new AppError('ACCOUNTS_UNAVAILABLE', 'accounts need the back office (GAVEL_LEDGER)');
    return p;
  };
  const bidders = async (): Promise<BidderSelfPort> => {
    const p = await deps.bidders;
    if (p === undefined)
      throw new AppError('ACCOUNTS_UNAVAILABLE', 'bidder registration needs the back office (GAVEL_LEDGER)');
    return p;
  };
  /** `script`: the page loads our bundle (the push toggle), its calls to our API and our service worker. */
  const pageHeaders = (c: Context, opts: { script?: boolean } = {}): void => {
    c.header('Cache-Control', 'no-store');
    langHeaders(c, langOf(c));
    c.header('Referrer-Policy', 'same-origin');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header(
      'Content-Security-Policy',
      [
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        ...(opts.script === true ? ["script-src 'self'", "connect-src 'self'", "worker-src 'self'"] : []),
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
    );
  };
  const pushScript = async (): Promise<string | undefined> =>
    deps.clients === undefined ? undefined : (await deps.clients).scripts.push;
  const current = async (c: Context): Promise<{ secret: string; session: ResolvedSession } | undefined> => {
    const secret = readSessionCookie(c, secure);
    if (secret === undefined) return undefined;
    const session = await (await accounts()).resolve(secret);
    return session === undefined ? undefined : { secret, session };
  };
  const fromOurOrigin = (c: Context): void => {
    if (
      !sameOrigin(
        { origin: c.req.header('origin'), secFetchSite: c.req.header('sec-fetch-site') },
        deps.publicOrigin,
      )
    )
      throw new AppError(
        'CSRF_FAILED',
        `a request signed in by cookie must come from ${new URL(deps.publicOrigin).origin}`,
      );
  };
  /** A cookie-authenticated bidder: from our origin, signed in, a bidder; with `csrf` (unless false) the session's token. */
  const bidder = async (c: Context, csrf: string | undefined | false) => {
    fromOurOrigin(c);
    const s = await current(c);
    if (s === undefined) throw new AppError('UNAUTHENTICATED', 'sign in first (/sign-in)');
    if (csrf !== false && !csrfTokenMatches(csrf, s.secret))
      throw new AppError('CSRF_FAILED', "send the session's CSRF token (X-CSRF-Token, from GET /v1/session)");
    if (s.session.account.kind !== 'bidder')
      throw new AppError('FORBIDDEN', 'only a bidder account registers for sales');
    return { id: s.session.account.id, csrf: csrfTokenFor(s.secret) };
  };
  const readForm = async (c: Context): Promise<URLSearchParams> => {
    const type = c.req.header('content-type') ?? '';
    if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded'))
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the form as application/x-www-form-urlencoded');
    return new URLSearchParams(await readBodyText(c));
  };
  /** A page for a signed-in bidder; else to sign-in (or the staff notice). */
  const page = async (
    c: Context,
    render: (me: { id: string; csrf: string }) => Promise<Response>,
  ): Promise<Response> => {
    pageHeaders(c);
    const s = await current(c);
    if (s === undefined) return c.redirect('/sign-in', 303);
    if (s.session.account.kind !== 'bidder') return c.html(notABidderPage(langOf(c)), 403);
    return render({ id: s.session.account.id, csrf: csrfTokenFor(s.secret) });
  };

  // --- pages ---
  const FLASH = {
    profile: 'me.flash.profile',
    registered: 'me.flash.registered',
    terms: 'me.flash.terms',
  } as const;
  const flashOf = (c: Context): string | undefined => {
    const done = c.req.query('done') ?? '';
    return done in FLASH ? translate(langOf(c), FLASH[done as keyof typeof FLASH]) : undefined;
  };
  app.get('/account/bidding', (c) =>
    page(c, async (me) => {
      const port = await bidders();
      const [overview, settings, script] = await Promise.all([
        port.overview(me.id),
        port.pushSettings(me.id),
        pushScript(),
      ]);
      pageHeaders(c, { script: script !== undefined && settings.publicKey !== null });
      return c.html(
        biddingPage({
          overview,
          csrf: me.csrf,
          countries,
          flash: flashOf(c),
          push: { settings, script },
          lang: langOf(c),
        }),
      );
    }),
  );
  app.post('/account/bidding/profile', async (c) => {
    pageHeaders(c);
    const form = await readForm(c);
    const me = await bidder(c, form.get('csrf') ?? undefined);
    const entered = {
      name: form.get('name') ?? '',
      phone: form.get('phone') ?? '',
      country: form.get('country') ?? '',
      channels: form.getAll('channels'),
    };
    const port = await bidders();
    try {
      const channels = entered.channels.filter((x): x is ProfileInput['channels'][number] =>
        (CONTACT_CHANNELS as readonly string[]).includes(x),
      );
      await port.saveProfile(me.id, { ...entered, channels });
    } catch (err) {
      const problem = problemOf(err);
      if (problem === undefined) throw err;
      return c.html(
        biddingPage({
          overview: await port.overview(me.id),
          csrf: me.csrf,
          countries,
          problem,
          entered,
          lang: langOf(c),
        }),
        400,
      );
    }
    return c.redirect('/account/bidding?done=profile', 303);
  });
  app.post('/account/bidding/kyc', async (c) => {
    pageHeaders(c);
    const form = await readForm(c);
    const me = await bidder(c, form.get('csrf') ?? undefined);
    const port = await bidders();
    try {
      return c.html(kycPage(await port.startKyc(me.id), langOf(c)));
    } catch (err) {
      if (!(err instanceof AppError) || (err.status >= 500 && !err.code.startsWith('KYC_'))) throw err;
      const message =
        err.code === 'KYC_DISABLED'
          ? err.message
          : translate(langOf(c), 'me.kyc.couldNotStart', { reason: err.message });
      return c.html(
        biddingPage({
          overview: await port.overview(me.id),
          csrf: me.csrf,
          countries,
          kycProblem: message,
          lang: langOf(c),
        }),
        statusOf(err),
      );
    }
  });
  app.get('/account/sales/:saleId/register', (c) =>
    page(c, async (me) =>
      c.html(
        registerPage({
          offer: await (await bidders()).offer(me.id, c.req.param('saleId')),
          csrf: me.csrf,
          lang: langOf(c),
        }),
      ),
    ),
  );
  app.post('/account/sales/:saleId/register', async (c) => {
    pageHeaders(c);
    const form = await readForm(c);
    const me = await bidder(c, form.get('csrf') ?? undefined);
    const saleId = c.req.param('saleId');
    const port = await bidders();
    const limit = form.get('limit') ?? undefined;
    try {
      const termsVersion = formInt(form.get('termsVersion'));
      if (Number.isNaN(termsVersion))
        throw new AppError('VALIDATION_FAILED', 'termsVersion: reload the page and read the terms again', {
          details: { field: 'termsVersion' },
        });
      await port.register(me.id, saleId, { termsVersion, accept: form.get('accept') === 'yes', limit });
    } catch (err) {
      const problem = problemOf(err);
      if (problem === undefined) throw err;
      return c.html(
        registerPage({
          offer: await port.offer(me.id, saleId),
          csrf: me.csrf,
          problem,
          limit,
          lang: langOf(c),
        }),
        statusOf(err),
      );
    }
    return c.redirect('/account/bidding?done=registered', 303);
  });
  app.post('/account/sales/:saleId/terms', async (c) => {
    pageHeaders(c);
    const form = await readForm(c);
    const me = await bidder(c, form.get('csrf') ?? undefined);
    const saleId = c.req.param('saleId');
    const port = await bidders();
    try {
      await port.acceptTerms(me.id, saleId, formInt(form.get('version')));
    } catch (err) {
      const problem = problemOf(err);
      if (problem === undefined) throw err;
      return c.html(
        registerPage({ offer: await port.offer(me.id, saleId), csrf: me.csrf, problem, lang: langOf(c) }),
        statusOf(err),
      );
    }
    return c.redirect('/account/bidding?done=terms', 303);
  });

  // --- JSON ---
  app.get('/v1/me/bidding', async (c) => {
    const me = await bidder(c, false);
    c.header('Cache-Control', 'no-store');
    return c.json(await (await bidders()).overview(me.id));
  });
  app.get('/v1/me/sales/:saleId', async (c) => {
    const me = await bidder(c, false);
    c.header('Cache-Control', 'no-store');
    return c.json(await (await bidders()).offer(me.id, c.req.param('saleId')));
  });
  app.put('/v1/me/profile', async (c) => {
    const me = await bidder(c, c.req.header('x-csrf-token'));
    const body = profileBody.parse(await readJson(c));
    return c.json(await (await bidders()).saveProfile(me.id, body));
  });
  app.post('/v1/me/sales/:saleId/registration', async (c) => {
    const me = await bidder(c, c.req.header('x-csrf-token'));
    const body = registerBody.parse(await readJson(c));
    return c.json(await (await bidders()).register(me.id, c.req.param('saleId'), body), 201);
  });
  app.post('/v1/me/sales/:saleId/terms', async (c) => {
    const me = await bidder(c, c.req.header('x-csrf-token'));
    const { version } = termsBody.parse(await readJson(c));
    return c.json(await (await bidders()).acceptTerms(me.id, c.req.param('saleId'), version));
  });
  app.post('/v1/me/kyc', async (c) => {
    const me = await bidder(c, c.req.header('x-csrf-token'));
    return c.json(await (await bidders()).startKyc(me.id));
  });
  // This browser's Web Push subscription: the service worker's, posted by the account page's toggle.
  app.get('/v1/me/push', async (c) => {
    const me = await bidder(c, false);
    c.header('Cache-Control', 'no-store');
    return c.json(await (await bidders()).pushSettings(me.id));
  });
  app.put('/v1/me/push', async (c) => {
    const me = await bidder(c, c.req.header('x-csrf-token'));
    const { endpoint, keys } = pushBody.parse(await readJson(c));
    // Shape and keys here already; the back office decides on the endpoint (it knows whether http is allowed).
    checkSubscription({ endpoint, keys }, { allowLoopbackHttp: true });
    return c.json(await (await bidders()).subscribePush(me.id, { endpoint, keys }));
  });
  app.patch('/v1/me/push', async (c) => {
    const me = await bidder(c, c.req.header('x-csrf-token'));
    const { muted } = pushKinds.parse(await readJson(c));
    return c.json(await (await bidders()).setPushKinds(me.id, muted));
  });
  app.delete('/v1/me/push', async (c) => {
    const me = await bidder(c, c.req.header('x-csrf-token'));
    const { endpoint } = pushEndpoint.parse(await readJson(c));
    return c.json(await (await bidders()).unsubscribePush(me.id, endpoint));
  });
  return app;
}
