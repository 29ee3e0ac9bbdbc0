/** @jsxImportSource hono/jsx */
/**
 * The back-office web panel at /admin (docs/back-office.md, "The web panel"): server-rendered pages
 * (hono/jsx) that talk to the back office only through its admin JSON API over HTTP, with a
 * one-minute admin token minted for the signed-in staff member, so every change is checked and
 * audited as theirs. Plain forms and links work without script; htmx (served from here, under a CSP
 * that allows no inline script or style) only refreshes the live view.
 *
 * Who: a session cookie (gateway/session) of a staff account with the `admin` role; no session →
 * /sign-in, another role → 403. Every POST comes from PUBLIC_ORIGIN and carries the session's CSRF
 * token. A refusal from the API is shown next to the field it names, with what was typed kept.
 */
import { Hono, type Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Child } from 'hono/jsx';
import type { AccountsPort, ResolvedSession } from '../../common/accounts.ts';
import type { UserTokens } from '../../common/auth.ts';
import { AppError } from '../../common/errors.ts';
import { readBodyText } from '../../common/http-body.ts';
import { readSessionCookie } from '../session/cookie.ts';
import { csrfTokenFor, csrfTokenMatches, sameOrigin } from '../session/csrf.ts';
import { AdminClient, type ApiProblem, type Json } from './admin-client.ts';
import { panelAssets } from './assets.ts';
import { Precompressed, sendPrecompressed } from '../routes/precompressed.ts';
import { BidderPage, BiddersList, StatusPage } from './bidder-pages.tsx';
import {
  changedOnly,
  formFieldFor,
  FormProblem,
  formValues,
  localToIso,
  lotBody,
  saleBody,
  type FormValues,
} from './forms.ts';
import { ImportPage, PreviewPage, type RowProblem } from './import-pages.tsx';
import { CORE_NAV, Frame, type NavEntry } from './layout.tsx';
import { ImagesSection } from './media-pages.tsx';
import {
  AuditPage,
  LiveTable,
  LotPage,
  RegistrationsPage,
  ResultsPage,
  type LotSection,
} from './ops-pages.tsx';
import {
  LotForm,
  lotFormValues,
  NEW_SALE_VALUES,
  SaleForm,
  saleFormValues,
  SALE_STATUSES,
  SalePage,
  SalesList,
  type Errors,
} from './sale-pages.tsx';

export type { NavEntry } from './layout.tsx';
export type { LotSection } from './ops-pages.tsx';

export interface PanelDeps {
  /** The back office's accounts (a promise when it starts after the gateway). */
  accounts: AccountsPort | Promise<AccountsPort | undefined>;
  /** Admin-audience tokens the gateway may mint (the key the admin API verifies). */
  adminTokens: UserTokens;
  /** The admin API's base, e.g. `http://127.0.0.1:3001/admin/v1` (a promise when it starts after the gateway). */
  adminApiUrl: string | Promise<string | undefined>;
  /** PUBLIC_ORIGIN: the only origin whose posts are taken. */
  publicOrigin: string;
  /** More navigation entries (staff, invitations, imports…), after the panel's own. */
  nav?: readonly NavEntry[];
  /** More sections on a lot's page, after its images. */
  lotSections?: readonly LotSection[];
  /** How the admin API is reached (tests hand in an app's `request`); default: fetch over HTTP. */
  fetch?: typeof fetch;
}

interface Panel {
  api: AdminClient;
  session: ResolvedSession;
  csrf: string;
  /** A POST's fields (the CSRF token checked and left out). */
  form: FormValues;
  /** A multipart POST's whole form, files included (the image upload and the CSV import only). */
  upload: FormData | undefined;
  /** A POST's fields as sent, untrimmed (a CSV's text). */
  params: URLSearchParams;
}
type PanelEnv = { Variables: { panel: Panel; requestId?: string } };
type C = Context<PanelEnv>;

/** The posts that may be multipart (files): a lot's image upload and a sale's CSV import. */
const UPLOAD_PATH = /\/(?:lots\/[^/]+\/images|sales\/[^/]+\/import)$/;
/**
 * The most one multipart form may hold. The panel buffers it to forward it; the admin API then keeps
 * its own limits (bytes per image, files per upload, `MEDIA_MAX_*`) and its refusal names the file.
 */
export const PANEL_UPLOAD_BYTES = 64 * 1024 * 1024;
/** The admin API's largest CSV catalogue (orchestrator/admin/catalogue-import.ts). */
const MAX_IMPORT_CSV_BYTES = 2 * 1024 * 1024;

const zoneOf = (sale: Json): string => (typeof sale.timezone === 'string' ? sale.timezone : 'UTC');

/** The confirmations a redirect may ask for (`?done=`): fixed texts, never a reflected parameter. */
const DONE: Record<string, string> = {
  created: 'Created.',
  saved: 'Saved.',
  unchanged: 'Nothing had changed.',
  published: 'The sale is published: its lots are in the catalogue and the engine.',
  cancelled: 'The sale is cancelled.',
  terms: 'New terms published: bidders must accept them before bidding again.',
  withdrawn: 'The lot is withdrawn.',
  'bid-cancelled': 'The bid is cancelled and the standing recomputed.',
  decided: 'Registration updated.',
  registered: 'Bidder registered.',
  blocked: 'Bidder blocked.',
  unblocked: 'Bidder unblocked.',
  cdd: 'Due diligence recorded.',
  kyc: 'Identity check started with the vendor.',
  verified: 'Identity marked verified; the reason is in the audit log.',
  'images-added': 'Images uploaded.',
  'image-saved': 'Alt text saved.',
  'image-moved': 'Images reordered.',
  'image-deleted': 'Image deleted.',
  imported: 'Lots imported from the CSV.',
};

export function panelRoutes(deps: PanelDeps): Hono<PanelEnv> {
  const app = new Hono<PanelEnv>();
  const secure = new URL(deps.publicOrigin).protocol === 'https:';
  const nav = [...CORE_NAV, ...(deps.nav ?? [])];
  const assets = panelAssets().then(
    (all) =>
      new Map(Object.entries(all).map(([name, a]) => [name, { ...a, packed: new Precompressed(a.body) }])),
  );

  const headers = (c: C): void => {
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'same-origin');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header(
      'Content-Security-Policy',
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
  };
  /** A whole page in the frame (or, for an htmx request of a fragment, the fragment alone). */
  const page = async (
    c: C,
    title: string,
    body: Child,
    status = 200,
    current?: string,
  ): Promise<Response> => {
    headers(c);
    const p = c.get('panel');
    const node = (
      <Frame title={title} nav={nav} current={current} who={p.session.account} csrf={p.csrf}>
        {body}
      </Frame>
    );
    return c.html(`<!doctype html>${await node}`, status as 200);
  };
  const bare = async (c: C, title: string, text: string, status: number): Promise<Response> => {
    headers(c);
    const node = (
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${title} · Gavel back office`}</title>
          <link rel="stylesheet" href="/admin/assets/panel.css" />
        </head>
        <body>
          <main id="main">
            <StatusPage title={title} text={text} />
            <p>
              <a href="/sign-in">Sign in as someone else</a>
            </p>
          </main>
        </body>
      </html>
    );
    return c.html(`<!doctype html>${await node}`, status as 403);
  };
  const done = (c: C): string | undefined => DONE[c.req.query('done') ?? ''];
  const redirect = (c: C, to: string, key: keyof typeof DONE): Response =>
    c.redirect(`${to}?done=${key}`, 303);
  const enc = encodeURIComponent;

  // --- assets: public, cached, same origin ---
  app.get('/assets/:name', async (c) => {
    const a = (await assets).get(c.req.param('name'));
    if (a === undefined) return c.text('not found', 404);
    c.header('Cache-Control', 'public, max-age=3600');
    c.header('X-Content-Type-Options', 'nosniff');
    // htmx is 50 KB as it is, 16 KB in brotli.
    return sendPrecompressed(c, a.packed, a.type);
  });

  // --- who: an admin's session; posts from our origin with the CSRF token ---
  app.use(
    '*',
    createMiddleware<PanelEnv>(async (c, next) => {
      const accounts = await deps.accounts;
      if (accounts === undefined)
        return bare(c, 'Back office unavailable', 'Sign-in needs the back office.', 503);
      const secret = readSessionCookie(c, secure);
      const session = secret === undefined ? undefined : await accounts.resolve(secret);
      if (secret === undefined || session === undefined) {
        if (c.req.method === 'GET') return c.redirect('/sign-in', 303);
        return bare(c, 'Signed out', 'Your session has ended: sign in again.', 401);
      }
      const account = session.account;
      if (account.kind !== 'staff' || !account.roles.includes('admin'))
        return bare(c, 'Not for this account', 'The back office is for staff with the admin role.', 403);
      const csrf = csrfTokenFor(secret);
      let form: FormValues = {};
      let upload: FormData | undefined;
      let params = new URLSearchParams();
      if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
        if (
          !sameOrigin(
            { origin: c.req.header('origin'), secFetchSite: c.req.header('sec-fetch-site') },
            deps.publicOrigin,
          )
        )
          return bare(c, 'Refused', `Forms are taken only from ${new URL(deps.publicOrigin).origin}.`, 403);
        const type = (c.req.header('content-type') ?? '').toLowerCase();
        if (type.startsWith('multipart/form-data') && UPLOAD_PATH.test(c.req.path)) {
          // Files (lot images, a CSV catalogue): bounded by the declared length before anything is read.
          const declared = Number(c.req.header('content-length') ?? 'NaN');
          if (!Number.isFinite(declared))
            return bare(c, 'Refused', 'Send the form with its length (Content-Length).', 411);
          if (declared > PANEL_UPLOAD_BYTES)
            return bare(
              c,
              'Too large',
              `This form is ${declared} bytes; the panel takes at most ${PANEL_UPLOAD_BYTES} bytes at once. Send fewer files.`,
              413,
            );
          try {
            upload = await c.req.raw.formData();
          } catch {
            return bare(c, 'Refused', 'The form could not be read: send it again.', 400);
          }
          for (const [k, v] of upload.entries()) if (typeof v === 'string') params.append(k, v);
        } else if (type.startsWith('application/x-www-form-urlencoded')) {
          // The import's confirmation carries the whole CSV back (percent-encoded: up to 3 bytes a byte).
          params = new URLSearchParams(
            await readBodyText(
              c,
              /\/sales\/[^/]+\/import$/.test(c.req.path) ? 3 * MAX_IMPORT_CSV_BYTES + 4096 : undefined,
            ),
          );
        } else return bare(c, 'Refused', 'Send the form as application/x-www-form-urlencoded.', 415);
        if (!csrfTokenMatches(params.get('csrf') ?? undefined, secret))
          return bare(
            c,
            'Refused',
            'This form is out of date (its security token does not match): reload the page.',
            403,
          );
        params.delete('csrf');
        form = formValues(params);
      }
      const base = await deps.adminApiUrl;
      if (base === undefined)
        return bare(c, 'Back office unavailable', 'The admin API is not reachable from this gateway.', 503);
      const api = await AdminClient.for(base, deps.adminTokens, account, c.get('requestId'), deps.fetch);
      c.set('panel', { api, session, csrf, form, upload, params });
      return next();
    }),
  );

  /** A GET of the API that must succeed; a refusal becomes the page's own error (404 for an unknown id). */
  const must = async (c: C, path: string): Promise<Json> => {
    const a = await c.get('panel').api.call(`GET`, path);
    if (!a.ok) throw new AppError(a.problem.status === 404 ? 'NOT_FOUND' : 'UNAVAILABLE', a.problem.message);
    return a.body;
  };
  app.onError(async (err, c) => {
    if (err instanceof AppError && err.code === 'NOT_FOUND') return bare(c, 'Not found', err.message, 404);
    if (err instanceof AppError && err.status < 500) return bare(c, 'Refused', err.message, err.status);
    return bare(c, 'Something went wrong', 'The back office could not complete this. Try again.', 503);
  });

  app.get('/', (c) => c.redirect('/admin/sales', 303));

  // --- sales ---
  app.get('/sales', async (c) => {
    const status =
      c.req.queries('status')?.filter((v) => (SALE_STATUSES as readonly string[]).includes(v)) ?? [];
    const q = status.length === 0 ? '' : `?status=${status.join(',')}`;
    const a = await c.get('panel').api.call<{ sales: Json[] }>('GET', `/sales${q}`);
    return page(
      c,
      'Sales',
      <SalesList
        sales={a.ok ? a.body.sales : []}
        status={status}
        error={a.ok ? undefined : a.problem.message}
      />,
      a.ok ? 200 : a.problem.status,
      '/admin/sales',
    );
  });

  const SALE_FIELDS = [
    'id',
    'title',
    'mode',
    'currency',
    'timezone',
    'startsAt',
    'endsAt',
    'closingSoonSeconds',
    'premiumBands',
    'taxRate',
    'taxBase',
    'kycFreeLimit',
    'cddThreshold',
    'floorPaddles.from',
    'floorPaddles.to',
    'onlinePaddles.from',
    'onlinePaddles.to',
    'confirmBids',
    'confirmBidsFrom',
  ];
  const LOT_FIELDS = [
    'id',
    'lotNumber',
    'title',
    'description',
    'conditionReport',
    'consignorId',
    'imageUrl',
    'opening',
    'reserve',
    'estimateLow',
    'estimateHigh',
    'increments',
    'startsAt',
    'endsAt',
    'softCloseSeconds',
  ];
  /** A refusal → the field's error, or the form's when it names no field of the form. */
  const placed = (
    problem: ApiProblem | FormProblem,
    fields: readonly string[],
  ): { errors: Errors; error?: string } => {
    const field = problem instanceof FormProblem ? problem.field : formFieldFor(problem.field, fields);
    return field === undefined
      ? { errors: {}, error: problem.message }
      : { errors: { [field]: problem.message } };
  };
  const statusOf = (problem: ApiProblem | FormProblem): number =>
    problem instanceof FormProblem ? 400 : problem.status;
  /** Runs `build`; a FormProblem is returned, anything else thrown. */
  const tryBuild = (build: () => Record<string, unknown>): Record<string, unknown> | FormProblem => {
    try {
      return build();
    } catch (err) {
      if (err instanceof FormProblem) return err;
      throw err;
    }
  };

  app.get('/sales/new', (c) => {
    const p = c.get('panel');
    return page(
      c,
      'New sale',
      <>
        <p class="crumbs">
          <a href="/admin/sales">Sales</a> / new
        </p>
        <h1>New sale</h1>
        <SaleForm action="/admin/sales/new" csrf={p.csrf} values={NEW_SALE_VALUES} errors={{}} create />
      </>,
    );
  });
  app.post('/sales/new', async (c) => {
    const p = c.get('panel');
    const body = tryBuild(() => saleBody(p.form));
    const a = body instanceof FormProblem ? body : await p.api.call('POST', '/sales', body);
    if (!(a instanceof FormProblem) && a.ok)
      return redirect(c, `/admin/sales/${enc(p.form.id ?? '')}`, 'created');
    const problem = a instanceof FormProblem ? a : a.problem;
    const { errors, error } = placed(problem, SALE_FIELDS);
    return page(
      c,
      'New sale',
      <>
        <h1>New sale</h1>
        <SaleForm
          action="/admin/sales/new"
          csrf={p.csrf}
          values={p.form}
          errors={errors}
          error={error}
          create
        />
      </>,
      statusOf(problem),
    );
  });

  const salePage = async (
    c: C,
    id: string,
    opts: {
      values?: FormValues;
      errors?: Errors;
      error?: string | undefined;
      termsError?: string;
      status?: number;
    } = {},
  ): Promise<Response> => {
    const p = c.get('panel');
    const got = await must(c, `/sales/${enc(id)}`);
    const sale = got.sale as Json;
    const form = (
      <SaleForm
        action={`/admin/sales/${enc(id)}`}
        csrf={p.csrf}
        values={opts.values ?? saleFormValues(sale)}
        errors={opts.errors ?? {}}
        error={opts.values === undefined ? undefined : opts.error}
        create={false}
      />
    );
    return page(
      c,
      String(sale.title),
      <SalePage
        sale={sale}
        lots={(got.lots as Json[] | undefined) ?? []}
        csrf={p.csrf}
        form={form}
        message={done(c)}
        error={opts.values === undefined ? opts.error : undefined}
        termsError={opts.termsError}
      />,
      opts.status ?? 200,
    );
  };
  app.get('/sales/:id', (c) => salePage(c, c.req.param('id')));
  app.post('/sales/:id', async (c) => {
    const p = c.get('panel');
    const id = c.req.param('id');
    const current = (await must(c, `/sales/${enc(id)}`)).sale as Json;
    const body = tryBuild(() => changedOnly(saleBody(p.form), current));
    if (body instanceof FormProblem)
      return salePage(c, id, { values: p.form, ...placed(body, SALE_FIELDS), status: 400 });
    if (Object.keys(body).length === 0) return redirect(c, `/admin/sales/${enc(id)}`, 'unchanged');
    const a = await p.api.call('PATCH', `/sales/${enc(id)}`, body);
    if (a.ok) return redirect(c, `/admin/sales/${enc(id)}`, 'saved');
    return salePage(c, id, { values: p.form, ...placed(a.problem, SALE_FIELDS), status: a.problem.status });
  });
  app.post('/sales/:id/publish', async (c) => {
    const id = c.req.param('id');
    const a = await c.get('panel').api.call('POST', `/sales/${enc(id)}/publish`);
    if (a.ok) return redirect(c, `/admin/sales/${enc(id)}`, 'published');
    return salePage(c, id, { error: a.problem.message, status: a.problem.status });
  });
  app.post('/sales/:id/cancel', async (c) => {
    const id = c.req.param('id');
    if (c.get('panel').form.confirm !== 'yes')
      return salePage(c, id, { error: 'Tick the box to confirm the cancellation.', status: 400 });
    const a = await c.get('panel').api.call('DELETE', `/sales/${enc(id)}`);
    if (a.ok) return redirect(c, `/admin/sales/${enc(id)}`, 'cancelled');
    return salePage(c, id, { error: a.problem.message, status: a.problem.status });
  });
  app.post('/sales/:id/terms', async (c) => {
    const id = c.req.param('id');
    const a = await c
      .get('panel')
      .api.call('POST', `/sales/${enc(id)}/terms`, { body: c.get('panel').form.body ?? '' });
    if (a.ok) return redirect(c, `/admin/sales/${enc(id)}`, 'terms');
    return salePage(c, id, { termsError: a.problem.message, status: a.problem.status });
  });

  // --- lots ---
  const newLotPage = async (
    c: C,
    saleId: string,
    values: FormValues,
    errors: Errors,
    error?: string,
    status = 200,
  ) => {
    const sale = (await must(c, `/sales/${enc(saleId)}`)).sale as Json;
    const zone = zoneOf(sale);
    return page(
      c,
      'New lot',
      <>
        <p class="crumbs">
          <a href="/admin/sales">Sales</a> / <a href={`/admin/sales/${enc(saleId)}`}>{String(sale.title)}</a>{' '}
          / new lot
        </p>
        <h1>New lot</h1>
        <LotForm
          action={`/admin/sales/${enc(saleId)}/lots/new`}
          csrf={c.get('panel').csrf}
          values={values}
          errors={errors}
          error={error}
          create
          zone={zone}
          currency={String(sale.currency)}
        />
      </>,
      status,
    );
  };
  app.get('/sales/:id/lots/new', (c) =>
    newLotPage(c, c.req.param('id'), { increments: '0.00 50.00\n1000.00 100.00', softCloseSeconds: '' }, {}),
  );
  app.post('/sales/:id/lots/new', async (c) => {
    const p = c.get('panel');
    const saleId = c.req.param('id');
    const sale = (await must(c, `/sales/${enc(saleId)}`)).sale as Json;
    const body = tryBuild(() => lotBody(p.form, zoneOf(sale)));
    const a =
      body instanceof FormProblem ? body : await p.api.call('POST', `/sales/${enc(saleId)}/lots`, body);
    if (!(a instanceof FormProblem) && a.ok) return redirect(c, `/admin/sales/${enc(saleId)}`, 'created');
    const problem = a instanceof FormProblem ? a : a.problem;
    const { errors, error } = placed(problem, LOT_FIELDS);
    return newLotPage(c, saleId, p.form, errors, error, statusOf(problem));
  });

  const lotPage = async (
    c: C,
    id: string,
    opts: {
      values?: FormValues;
      errors?: Errors;
      error?: string | undefined;
      cancelErrors?: Errors;
      uploadError?: string;
      imageErrors?: Errors;
      status?: number;
    } = {},
  ): Promise<Response> => {
    const p = c.get('panel');
    const got = await must(c, `/lots/${enc(id)}`);
    const images = await p.api.call<{ images: Json[] }>('GET', `/lots/${enc(id)}/images`);
    const lot = got.lot as Json;
    const sale = (await must(c, `/sales/${enc(String(lot.saleId))}`)).sale as Json;
    const bids = await must(c, `/lots/${enc(id)}/bids`);
    const zone = zoneOf(sale);
    const form = (
      <LotForm
        action={`/admin/lots/${enc(id)}`}
        csrf={p.csrf}
        values={opts.values ?? lotFormValues(lot, zone)}
        errors={opts.errors ?? {}}
        error={opts.values === undefined ? undefined : opts.error}
        create={false}
        zone={zone}
        currency={String(lot.currency)}
      />
    );
    const sections = [
      <ImagesSection
        lotId={id}
        images={images.ok ? images.body.images : undefined}
        csrf={p.csrf}
        uploadError={opts.uploadError}
        imageErrors={opts.imageErrors}
      />,
      ...(deps.lotSections ?? []).map((s) => (
        <section>
          <h2>{s.title}</h2>
          {s.render(lot, p.csrf)}
        </section>
      )),
    ];
    return page(
      c,
      `Lot ${String(lot.lotNumber)}`,
      <LotPage
        lot={lot}
        sale={sale}
        engine={(got.engine as Json | null) ?? null}
        entries={(bids.entries as Json[] | undefined) ?? []}
        csrf={p.csrf}
        form={form}
        sections={sections}
        message={done(c)}
        error={opts.values === undefined ? opts.error : undefined}
        cancelErrors={opts.cancelErrors}
      />,
      opts.status ?? 200,
    );
  };
  app.get('/lots/:id', (c) => lotPage(c, c.req.param('id')));
  app.post('/lots/:id', async (c) => {
    const p = c.get('panel');
    const id = c.req.param('id');
    const lot = (await must(c, `/lots/${enc(id)}`)).lot as Json;
    const sale = (await must(c, `/sales/${enc(String(lot.saleId))}`)).sale as Json;
    const body = tryBuild(() => changedOnly(lotBody(p.form, zoneOf(sale)), lot));
    if (body instanceof FormProblem)
      return lotPage(c, id, { values: p.form, ...placed(body, LOT_FIELDS), status: 400 });
    if (Object.keys(body).length === 0) return redirect(c, `/admin/lots/${enc(id)}`, 'unchanged');
    const a = await p.api.call('PATCH', `/lots/${enc(id)}`, body);
    if (a.ok) return redirect(c, `/admin/lots/${enc(id)}`, 'saved');
    return lotPage(c, id, { values: p.form, ...placed(a.problem, LOT_FIELDS), status: a.problem.status });
  });
  app.post('/lots/:id/withdraw', async (c) => {
    const id = c.req.param('id');
    if (c.get('panel').form.confirm !== 'yes')
      return lotPage(c, id, { error: 'Tick the box to confirm the withdrawal.', status: 400 });
    const a = await c.get('panel').api.call('DELETE', `/lots/${enc(id)}`);
    if (a.ok) return redirect(c, `/admin/lots/${enc(id)}`, 'withdrawn');
    return lotPage(c, id, { error: a.problem.message, status: a.problem.status });
  });
  app.post('/lots/:id/bids/:seq/cancel', async (c) => {
    const id = c.req.param('id');
    const seq = c.req.param('seq');
    if (!/^\d{1,16}$/.test(seq)) return lotPage(c, id, { error: `seq: not a bid's number`, status: 400 });
    const a = await c.get('panel').api.call('POST', `/lots/${enc(id)}/bids/${seq}/cancel`, {
      reason: c.get('panel').form.reason ?? '',
    });
    if (a.ok) return redirect(c, `/admin/lots/${enc(id)}`, 'bid-cancelled');
    return lotPage(c, id, { cancelErrors: { [seq]: a.problem.message }, status: a.problem.status });
  });

  // --- a lot's images (forwarded to the admin API; docs/media.md) ---
  app.post('/lots/:id/images', async (c) => {
    const id = c.req.param('id');
    const upload = c.get('panel').upload;
    const files = (upload?.getAll('file') ?? [])
      .filter((f) => typeof f !== 'string')
      .filter((f) => f.size > 0 || f.name !== '');
    if (files.length === 0)
      return lotPage(c, id, { uploadError: 'Choose one or more image files.', status: 400 });
    const alt = c.get('panel').form.alt ?? '';
    // Rebuilt rather than passed through: only the files and their alt texts reach the API, never the token.
    const body = new FormData();
    for (const f of files) {
      body.append('file', f, f.name);
      body.append('alt', alt);
    }
    const a = await c.get('panel').api.send('POST', `/lots/${enc(id)}/images`, body);
    if (a.ok) return redirect(c, `/admin/lots/${enc(id)}`, 'images-added');
    return lotPage(c, id, { uploadError: a.problem.message, status: a.problem.status });
  });
  app.post('/lots/:id/images/:imageId/alt', async (c) => {
    const id = c.req.param('id');
    const imageId = c.req.param('imageId');
    const a = await c
      .get('panel')
      .api.call('PATCH', `/lots/${enc(id)}/images/${enc(imageId)}`, { alt: c.get('panel').form.alt ?? '' });
    if (a.ok) return redirect(c, `/admin/lots/${enc(id)}`, 'image-saved');
    return lotPage(c, id, { imageErrors: { [imageId]: a.problem.message }, status: a.problem.status });
  });
  app.post('/lots/:id/images/:imageId/move', async (c) => {
    const id = c.req.param('id');
    const imageId = c.req.param('imageId');
    const p = c.get('panel');
    const current = await p.api.call<{ images: Json[] }>('GET', `/lots/${enc(id)}/images`);
    if (!current.ok)
      return lotPage(c, id, { error: current.problem.message, status: current.problem.status });
    const order = [...current.body.images]
      .sort((x, y) => Number(x.position) - Number(y.position))
      .map((i) => String(i.id));
    const at = order.indexOf(imageId);
    const to = p.form.direction === 'up' ? at - 1 : at + 1;
    if (at === -1 || to < 0 || to >= order.length) return redirect(c, `/admin/lots/${enc(id)}`, 'unchanged');
    [order[at], order[to]] = [order[to]!, order[at]!];
    const a = await p.api.call('PUT', `/lots/${enc(id)}/images/order`, { order });
    if (a.ok) return redirect(c, `/admin/lots/${enc(id)}`, 'image-moved');
    return lotPage(c, id, { imageErrors: { [imageId]: a.problem.message }, status: a.problem.status });
  });
  app.post('/lots/:id/images/:imageId/delete', async (c) => {
    const id = c.req.param('id');
    const imageId = c.req.param('imageId');
    const a = await c.get('panel').api.call('DELETE', `/lots/${enc(id)}/images/${enc(imageId)}`);
    if (a.ok) return redirect(c, `/admin/lots/${enc(id)}`, 'image-deleted');
    return lotPage(c, id, { imageErrors: { [imageId]: a.problem.message }, status: a.problem.status });
  });

  // --- a sale's CSV catalogue: preview (dry run), confirm, export ---
  const importForm = async (c: C, id: string, text: string, error?: string, status = 200) => {
    const sale = (await must(c, `/sales/${enc(id)}`)).sale as Json;
    return page(
      c,
      'Import lots',
      <ImportPage sale={sale} csrf={c.get('panel').csrf} text={text} error={error} />,
      status,
    );
  };
  app.get('/sales/:id/import', (c) => importForm(c, c.req.param('id'), ''));
  app.post('/sales/:id/import', async (c) => {
    const id = c.req.param('id');
    const p = c.get('panel');
    const file = p.upload?.get('file');
    const chosen = file !== null && file !== undefined && typeof file !== 'string' && file.size > 0;
    // The pasted or carried text is taken as sent (the trimmed `form` would eat a last cell's spaces).
    const csvText = chosen ? await file.text() : (p.params.get('csv') ?? '');
    if (csvText.trim() === '') return importForm(c, id, '', 'Choose a CSV file or paste its text.', 400);
    if (Buffer.byteLength(csvText) > MAX_IMPORT_CSV_BYTES)
      return importForm(c, id, '', `The CSV is over ${MAX_IMPORT_CSV_BYTES} bytes: split it.`, 413);
    const confirm = p.form.confirm === 'yes';
    const a = await p.api.send<{ ok?: boolean; lots?: Json[]; errors?: RowProblem[] }>(
      'POST',
      `/sales/${enc(id)}/lots/import${confirm ? '' : '?dryRun=true'}`,
      csvText,
      'text/csv',
    );
    if (!a.ok) return importForm(c, id, csvText, a.problem.message, a.problem.status);
    if (confirm) return redirect(c, `/admin/sales/${enc(id)}`, 'imported');
    const sale = (await must(c, `/sales/${enc(id)}`)).sale as Json;
    const errors = a.body.errors ?? [];
    return page(
      c,
      'Import preview',
      <PreviewPage sale={sale} csrf={p.csrf} text={csvText} lots={a.body.lots ?? []} errors={errors} />,
      errors.length > 0 ? 422 : 200,
    );
  });
  app.get('/sales/:id/lots.csv', (c) =>
    csv(c, `/sales/${enc(c.req.param('id'))}/lots.csv`, `${c.req.param('id')}-lots.csv`),
  );

  // --- live view ---
  const liveRows = async (c: C, saleId: string) => {
    const got = await must(c, `/sales/${enc(saleId)}`);
    const sale = got.sale as Json;
    const rows = [];
    for (const l of (got.lots as Json[] | undefined) ?? []) {
      const lot = await must(c, `/lots/${enc(String(l.id))}`);
      const bids = await must(c, `/lots/${enc(String(l.id))}/bids`);
      const entries = (bids.entries as Json[] | undefined) ?? [];
      const last = [...entries].reverse().find((e) => e.outcome === 'accepted');
      rows.push({
        lot: l,
        engine: (lot.engine as Json | null) ?? null,
        leader: typeof last?.leaderAfter === 'string' ? last.leaderAfter : null,
        extensions: entries.filter((e) => e.extended === true).length,
      });
    }
    return { sale, rows };
  };
  app.get('/sales/:id/live', async (c) => {
    const { sale, rows } = await liveRows(c, c.req.param('id'));
    const id = enc(String(sale.id));
    return page(
      c,
      `Live: ${String(sale.title)}`,
      <>
        <p class="crumbs">
          <a href="/admin/sales">Sales</a> / <a href={`/admin/sales/${id}`}>{String(sale.title)}</a> / live
        </p>
        <div class="title-row">
          <h1>Live view</h1>
          <a class="button" href={`/admin/sales/${id}/live`}>
            Refresh
          </a>
        </div>
        <p class="hint">Refreshes by itself every 5 seconds where script runs. Open a lot to cancel a bid.</p>
        <LiveTable saleId={String(sale.id)} rows={rows} zone={zoneOf(sale)} />
      </>,
    );
  });
  app.get('/sales/:id/live/table', async (c) => {
    const { sale, rows } = await liveRows(c, c.req.param('id'));
    headers(c);
    const node = <LiveTable saleId={String(sale.id)} rows={rows} zone={zoneOf(sale)} />;
    return c.html(await node);
  });

  // --- registrations ---
  const registrationsPage = async (
    c: C,
    saleId: string,
    opts: {
      error?: string;
      rowErrors?: Partial<Record<string, { field: string | undefined; message: string }>>;
      addValues?: FormValues;
      addErrors?: Errors;
      status?: number;
    } = {},
  ): Promise<Response> => {
    const sale = (await must(c, `/sales/${enc(saleId)}`)).sale as Json;
    const regs = await must(c, `/sales/${enc(saleId)}/registrations`);
    return page(
      c,
      'Registrations',
      <RegistrationsPage
        sale={sale}
        registrations={(regs.registrations as Json[] | undefined) ?? []}
        csrf={c.get('panel').csrf}
        message={done(c)}
        error={opts.error}
        rowErrors={opts.rowErrors ?? {}}
        addValues={opts.addValues ?? { channel: 'online' }}
        addErrors={opts.addErrors ?? {}}
      />,
      opts.status ?? 200,
    );
  };
  app.get('/sales/:id/registrations', (c) => registrationsPage(c, c.req.param('id')));
  app.post('/sales/:id/registrations', async (c) => {
    const saleId = c.req.param('id');
    const f = c.get('panel').form;
    const body: Record<string, unknown> = {
      bidderId: f.bidderId ?? '',
      channel: f.channel === 'floor' ? 'floor' : 'online',
      approve: f.approve === 'yes',
    };
    if ((f.limit ?? '') !== '') body.limit = f.limit;
    const a = await c.get('panel').api.call('POST', `/sales/${enc(saleId)}/registrations`, body);
    if (a.ok) return redirect(c, `/admin/sales/${enc(saleId)}/registrations`, 'registered');
    const field =
      formFieldFor(a.problem.field, ['bidderId', 'channel', 'limit']) ??
      (a.problem.code === 'UNKNOWN_BIDDER' || a.problem.code === 'ALREADY_REGISTERED'
        ? 'bidderId'
        : undefined);
    return registrationsPage(c, saleId, {
      addValues: f,
      ...(field === undefined ? { error: a.problem.message } : { addErrors: { [field]: a.problem.message } }),
      status: a.problem.status,
    });
  });
  app.post('/sales/:id/registrations/:bidderId', async (c) => {
    const saleId = c.req.param('id');
    const bidderId = c.req.param('bidderId');
    const f = c.get('panel').form;
    const status = f.status === 'declined' ? 'declined' : f.status === 'approved' ? 'approved' : undefined;
    const body: Record<string, unknown> = {};
    if (status !== undefined) body.status = status;
    if ((f.limit ?? '') !== '') body.limit = f.limit;
    const a = await c
      .get('panel')
      .api.call('PATCH', `/sales/${enc(saleId)}/registrations/${enc(bidderId)}`, body);
    if (a.ok) return redirect(c, `/admin/sales/${enc(saleId)}/registrations`, 'decided');
    return registrationsPage(c, saleId, {
      rowErrors: { [bidderId]: { field: a.problem.field ?? 'limit', message: a.problem.message } },
      status: a.problem.status,
    });
  });

  // --- results and exports ---
  app.get('/sales/:id/results', async (c) => {
    const id = c.req.param('id');
    const sale = (await must(c, `/sales/${enc(id)}`)).sale as Json;
    const r = await must(c, `/sales/${enc(id)}/results`);
    return page(c, 'Results', <ResultsPage sale={sale} results={(r.results as Json[] | undefined) ?? []} />);
  });
  /** A CSV from the API, passed through as a download. */
  const csv = async (c: C, path: string, name: string): Promise<Response> => {
    const a = await c.get('panel').api.call<string>('GET', path);
    if (!a.ok) throw new AppError(a.problem.status === 404 ? 'NOT_FOUND' : 'UNAVAILABLE', a.problem.message);
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header('Content-Disposition', `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
    c.header('Cache-Control', 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
    return c.body(a.body);
  };
  app.get('/sales/:id/ledger.csv', (c) =>
    csv(c, `/sales/${enc(c.req.param('id'))}/ledger.csv`, `${c.req.param('id')}-ledger.csv`),
  );
  app.get('/sales/:id/results.csv', (c) =>
    csv(c, `/sales/${enc(c.req.param('id'))}/results.csv`, `${c.req.param('id')}-results.csv`),
  );

  // --- the audit log ---
  /** The page's filters → the API's query (`from`/`to` are UTC wall times in the form). */
  const auditParams = (c: C): { query: string; filters: Record<string, string> } | FormProblem => {
    const filters: Record<string, string> = {};
    const params = new URLSearchParams();
    for (const k of ['actor', 'entityType', 'entityId', 'from', 'to']) {
      const v = (c.req.query(k) ?? '').trim();
      filters[k] = v;
      if (v === '') continue;
      try {
        params.set(k, k === 'from' || k === 'to' ? (localToIso(v, 'UTC', k) ?? '') : v);
      } catch (err) {
        if (err instanceof FormProblem) return err;
        throw err;
      }
    }
    const q = params.toString();
    return { query: q === '' ? '' : `?${q}`, filters };
  };
  app.get('/audit', async (c) => {
    const ap = auditParams(c);
    const filters =
      ap instanceof FormProblem
        ? Object.fromEntries(
            ['actor', 'entityType', 'entityId', 'from', 'to'].map((k) => [k, c.req.query(k) ?? '']),
          )
        : ap.filters;
    const a =
      ap instanceof FormProblem
        ? undefined
        : await c.get('panel').api.call<{ entries: Json[] }>('GET', `/audit${ap.query}`);
    const error =
      ap instanceof FormProblem
        ? { field: ap.field, message: ap.message }
        : a !== undefined && !a.ok
          ? { field: a.problem.field, message: a.problem.message }
          : undefined;
    const selfQuery = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== '')).toString();
    return page(
      c,
      'Audit log',
      <AuditPage
        entries={a !== undefined && a.ok ? a.body.entries : []}
        filters={filters}
        error={error}
        csv={selfQuery === '' ? '' : `?${selfQuery}`}
      />,
      error === undefined
        ? 200
        : ap instanceof FormProblem
          ? 400
          : a !== undefined && !a.ok
            ? a.problem.status
            : 400,
      '/admin/audit',
    );
  });
  app.get('/audit.csv', async (c) => {
    const ap = auditParams(c);
    if (ap instanceof FormProblem) throw new AppError('VALIDATION_FAILED', ap.message);
    return csv(c, `/audit.csv${ap.query}`, 'audit.csv');
  });

  // --- bidders ---
  app.get('/bidders', async (c) => {
    const q = (c.req.query('q') ?? '').trim();
    const a = await c.get('panel').api.call<{ bidders: Json[] }>('GET', `/bidders?q=${enc(q)}`);
    return page(
      c,
      'Bidders',
      <BiddersList q={q} bidders={a.ok ? a.body.bidders : []} error={a.ok ? undefined : a.problem.message} />,
      a.ok ? 200 : a.problem.status,
      '/admin/bidders',
    );
  });
  const bidderPage = async (
    c: C,
    id: string,
    opts: { error?: string; errors?: Errors; status?: number } = {},
  ) => {
    const p = c.get('panel');
    const got = await must(c, `/bidders/${enc(id)}`);
    const checks = await p.api.call<{ checks: Json[] }>('GET', `/bidders/${enc(id)}/kyc`);
    const notes = await must(c, `/bidders/${enc(id)}/notifications`);
    return page(
      c,
      String((got.bidder as Json).displayName),
      <BidderPage
        bidder={got.bidder as Json}
        registrations={(got.registrations as Json[] | undefined) ?? []}
        checks={checks.ok ? checks.body.checks : undefined}
        notifications={(notes.notifications as Json[] | undefined) ?? []}
        csrf={p.csrf}
        message={done(c)}
        error={opts.error}
        errors={opts.errors ?? {}}
      />,
      opts.status ?? 200,
    );
  };
  app.get('/bidders/:id', (c) => bidderPage(c, c.req.param('id')));
  const bidderAction = (
    path: string,
    key: keyof typeof DONE,
    body: (f: FormValues) => unknown,
    errorField?: string,
  ) =>
    app.post(`/bidders/:id/${path}`, async (c) => {
      const id = c.req.param('id');
      const a = await c
        .get('panel')
        .api.call('POST', `/bidders/${enc(id)}/${path}`, body(c.get('panel').form));
      if (a.ok) return redirect(c, `/admin/bidders/${enc(id)}`, key);
      return bidderPage(c, id, {
        ...(errorField !== undefined &&
        (a.problem.field === 'reason' || a.problem.code === 'VALIDATION_FAILED')
          ? { errors: { [errorField]: a.problem.message } }
          : { error: a.problem.message }),
        status: a.problem.status,
      });
    });
  bidderAction(
    'block',
    'blocked',
    (f) => ((f.reason ?? '') === '' ? {} : { reason: f.reason }),
    'blockReason',
  );
  bidderAction('unblock', 'unblocked', () => ({}));
  bidderAction('cdd', 'cdd', () => ({}));
  bidderAction('kyc', 'kyc', () => undefined);
  bidderAction('kyc/manual', 'verified', (f) => ({ reason: f.reason ?? '' }), 'kycReason');

  return app;
}
