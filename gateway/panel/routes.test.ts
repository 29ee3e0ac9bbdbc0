import { brotliDecompressSync } from 'node:zlib';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import type { Account, AccountsPort, ResolvedSession } from '../../common/accounts.ts';
import { UserTokens } from '../../common/auth.ts';
import { csrfTokenFor } from '../session/csrf.ts';
import { panelRoutes } from './routes.tsx';

const ORIGIN = 'http://gavel.test';
const tokens = new UserTokens({ key: 'panel-test-admin-key-0123456789abcdef0123', audience: 'admin' });
const people: Record<string, Account> = {
  'secret-admin': {
    id: 'acc_ada',
    kind: 'staff',
    email: 'ada@x',
    name: 'Ada',
    roles: ['admin'],
    status: 'active',
  },
  'secret-clerk': {
    id: 'acc_cy',
    kind: 'staff',
    email: 'cy@x',
    name: 'Cy',
    roles: ['auctioneer'],
    status: 'active',
  },
  'secret-bidder': { id: 'acc_bo', kind: 'bidder', email: 'bo@x', name: 'Bo', roles: [], status: 'active' },
};
const accounts = {
  resolve: (secret: string): Promise<ResolvedSession | undefined> =>
    Promise.resolve(
      people[secret] === undefined
        ? undefined
        : { ref: 'ses_1', account: people[secret], expiresAt: '2099-01-01T00:00:00Z' },
    ),
} as unknown as AccountsPort;

/** What the fake admin API was asked, with the bearer token's subject. */
let calls: { method: string; path: string; body: unknown; sub: string | undefined }[] = [];
afterEach(() => {
  calls = [];
});
const api = new Hono();
api.use('*', async (c, next) => {
  const user = await tokens
    .verify(c.req.header('authorization')?.replace('Bearer ', '') ?? '')
    .catch(() => undefined);
  const text = await c.req.text();
  calls.push({
    method: c.req.method,
    path: c.req.path + (new URL(c.req.url).search ?? ''),
    body: text === '' ? undefined : JSON.parse(text),
    sub: user?.id,
  });
  if (user?.role !== 'admin') return c.json({ error: { code: 'FORBIDDEN', message: 'admin only' } }, 403);
  return next();
});
api.get('/admin/v1/sales', (c) =>
  c.json({
    sales: [
      {
        id: 's1',
        title: 'Old Masters <evening>',
        mode: 'live',
        status: 'scheduled',
        startsAt: '2026-12-08T18:00:00Z',
        timezone: 'Europe/Paris',
        currency: 'EUR',
      },
    ],
  }),
);
api.post('/admin/v1/sales', (c) =>
  c.json(
    {
      error: {
        code: 'VALIDATION_FAILED',
        message: 'currency: an ISO 4217 currency code like "EUR"',
        details: { issues: [{ path: 'currency', message: 'x' }] },
      },
    },
    400,
  ),
);

const app = new Hono();
app.route(
  '/admin',
  panelRoutes({
    accounts,
    adminTokens: tokens,
    adminApiUrl: 'http://admin.test/admin/v1',
    publicOrigin: ORIGIN,
    fetch: (input, init) =>
      Promise.resolve(api.request(input instanceof Request ? input : String(input), init)),
  }),
);

const get = (path: string, secret?: string) =>
  app.request(`${ORIGIN}${path}`, {
    headers:
      secret === undefined ? {} : { cookie: `gavel_session=${secret}`, 'sec-fetch-site': 'same-origin' },
  });
const post = (path: string, form: Record<string, string>, opts: { secret?: string; origin?: string } = {}) =>
  app.request(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: {
      cookie: `gavel_session=${opts.secret ?? 'secret-admin'}`,
      origin: opts.origin ?? ORIGIN,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(form).toString(),
  });

describe('the /admin panel', () => {
  it('serves htmx and its stylesheet to anyone, in brotli when the browser takes it', async () => {
    const plain = await get('/admin/assets/htmx.min.js');
    expect([plain.status, plain.headers.get('content-encoding')]).toEqual([200, null]);
    const text = await plain.text();
    const br = await app.request(`${ORIGIN}/admin/assets/htmx.min.js`, {
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect([br.headers.get('content-encoding'), br.headers.get('vary')]).toEqual(['br', 'Accept-Encoding']);
    const body = Buffer.from(await br.arrayBuffer());
    expect(body.length).toBeLessThan(text.length / 2);
    expect(brotliDecompressSync(body).toString()).toBe(text);
  });

  it('sends the signed-out to sign in, and refuses bidders and auctioneers', async () => {
    const out = await get('/admin/sales');
    expect([out.status, out.headers.get('location')]).toEqual([303, '/sign-in']);
    expect((await get('/admin/sales', 'secret-bidder')).status).toBe(403);
    const clerk = await get('/admin/sales', 'secret-clerk');
    expect(clerk.status).toBe(403);
    expect(await clerk.text()).toContain('admin role');
    expect(calls).toEqual([]);
  });

  it('lists sales through the admin API as the signed-in admin, escaped, under a strict CSP', async () => {
    const res = await get('/admin/sales?status=scheduled&status=bogus', 'secret-admin');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('Old Masters &lt;evening&gt;');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(calls).toEqual([
      { method: 'GET', path: '/admin/v1/sales?status=scheduled', body: undefined, sub: 'acc_ada' },
    ]);
  });

  it('takes a post only from our origin with the session’s CSRF token', async () => {
    const csrf = csrfTokenFor('secret-admin');
    expect((await post('/admin/sales/new', { title: 'x' })).status).toBe(403);
    expect((await post('/admin/sales/new', { csrf: 'nope', title: 'x' })).status).toBe(403);
    expect(
      (await post('/admin/sales/new', { csrf, title: 'x' }, { origin: 'http://evil.test' })).status,
    ).toBe(403);
    expect(calls).toEqual([]);
  });

  it('shows the API’s refusal next to the field it names, keeping what was typed', async () => {
    const csrf = csrfTokenFor('secret-admin');
    const form = {
      csrf,
      id: 'new-sale',
      title: 'Spring',
      mode: 'timed',
      currency: 'ZZZ',
      timezone: 'Europe/Paris',
      startsAt: '2026-03-29T01:30',
      endsAt: '2026-03-29T03:30',
      premiumBands: '500000.00 25\n* 20',
      taxRate: '20',
      taxBase: 'premium',
    };
    const res = await post('/admin/sales/new', form);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toMatch(
      /id="f-currency"[^>]*value="ZZZ"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*value="ZZZ"/,
    );
    expect(html).toContain('id="f-currency-error" class="field-error">currency: an ISO 4217');
    // The body the API got: local times in Paris (CET, then CEST after 02:00), bands and tax as the API takes them.
    expect(calls.at(-1)?.body).toEqual({
      id: 'new-sale',
      title: 'Spring',
      mode: 'timed',
      currency: 'ZZZ',
      startsAt: '2026-03-29T00:30:00.000Z',
      endsAt: '2026-03-29T01:30:00.000Z',
      timezone: 'Europe/Paris',
      premiumBands: [
        { upTo: '500000.00', rateBp: 2500 },
        { upTo: null, rateBp: 2000 },
      ],
      taxRateBp: 2000,
      taxBase: 'premium',
    });
  });

  it('refuses what the panel itself cannot read before calling the API', async () => {
    const res = await post('/admin/sales/new', {
      csrf: csrfTokenFor('secret-admin'),
      id: 'x',
      title: 'x',
      premiumBands: 'lots',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('premiumBands: line 1 should read');
    expect(calls).toEqual([]);
  });
});
