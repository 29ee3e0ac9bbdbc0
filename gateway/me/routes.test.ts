import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { errorHandler } from '../../common/http-errors.ts';
import {
  BidderSelfService,
  DevMailbox,
  startAccounts,
  type AccountsService,
} from '../../orchestrator/index.ts';
import { migrate, pgliteDatabase, type Database } from '../../orchestrator/ledger.ts';
import { Hono } from 'hono';
import { csrfTokenFor } from '../session/csrf.ts';
import { meRoutes } from './routes.ts';

/**
 * The bidder's pages and JSON through `app.request()`, on in-memory PGlite: who may reach them
 * (signed in, a bidder, from our origin, with the session's CSRF token), and a refused form shown
 * again with the field named. (The engine is not under test here: eligibility pushes are no-ops.)
 */
const ORIGIN = 'https://bids.example.com';
const logger = createLogger('me-routes-test', 'silent');
let db: Database;
let accounts: AccountsService;
let app: Hono;
const mailbox = new DevMailbox();
const same = { 'Sec-Fetch-Site': 'same-origin', Origin: ORIGIN };

/** A signed-in session's cookie secret for a new account of `kind`. */
async function session(email: string, kind: 'bidder' | 'staff'): Promise<string> {
  if (kind === 'staff') await accounts.store.ensure({ kind, email, name: 'Staff', roles: ['admin'] });
  await accounts.requestLink({ email, name: kind === 'bidder' ? 'Bidder' : undefined, origin: ORIGIN });
  const token = new URL(/https:\/\/\S+/.exec(mailbox.list()[0]!.text)![0]).searchParams.get('token')!;
  return (await accounts.consumeLink(token, undefined)).secret;
}

beforeAll(async () => {
  db = await pgliteDatabase();
  await migrate(db);
  accounts = startAccounts(db, { mailbox, logger }).accounts;
  const sync = { syncEligibility: () => Promise.resolve([]), syncBidder: () => Promise.resolve() };
  app = new Hono();
  app.onError(errorHandler(logger));
  app.route('/', meRoutes({ accounts, bidders: new BidderSelfService({ db, sync }), publicOrigin: ORIGIN }));
}, 60_000);
afterAll(() => db.close());

const form = (fields: Record<string, string | string[]>): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) p.append(k, x);
  return p.toString();
};

describe('the bidder’s pages', () => {
  let secret: string;
  let cookie: string;
  beforeAll(async () => {
    secret = await session('page@example.com', 'bidder');
    cookie = `__Host-gavel_session=${secret}`;
  });

  it('sends the signed-out to sign in, and shows a bidder their page under a strict CSP', async () => {
    const out = await app.request(`${ORIGIN}/account/bidding`);
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/sign-in');
    const page = await app.request(`${ORIGIN}/account/bidding`, { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(await page.text()).toContain('<h1>My bidding</h1>');
  });

  it('speaks French to a French browser or a lang=fr cookie, with the EN | FR switch', async () => {
    const en = await app.request(`${ORIGIN}/account/bidding`, {
      headers: { Cookie: cookie, 'Accept-Language': 'de' },
    });
    const enHtml = await en.text();
    expect(enHtml).toContain('<html lang="en">');
    expect(en.headers.get('content-language')).toBe('en');
    expect(en.headers.get('vary')).toContain('Accept-Language');
    const byHeader = await app.request(`${ORIGIN}/account/bidding`, {
      headers: { Cookie: cookie, 'Accept-Language': 'fr-FR,fr;q=0.9,en;q=0.5' },
    });
    const byCookie = await app.request(`${ORIGIN}/account/bidding`, {
      headers: { Cookie: `${cookie}; lang=fr`, 'Accept-Language': 'en' },
    });
    for (const res of [byHeader, byCookie]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-language')).toBe('fr');
      const html = await res.text();
      expect(html).toContain('<html lang="fr">');
      expect(html).toContain('<h1>Mes enchères</h1>');
      expect(html).toContain('Vos coordonnées');
      expect(html).toContain('Nom complet');
      expect(html).toContain('Vérification d’identité');
      expect(html).not.toContain('My bidding');
      expect(html).toContain('href="/lang/en?next=%2Faccount%2Fbidding"');
      expect(html).toMatch(/<a [^>]*data-lang="fr"[^>]*aria-current="true">FR<\/a>/);
    }
  });

  it('refuses a post without the CSRF token or from another origin, and saves nothing', async () => {
    const post = (headers: Record<string, string>, csrf?: string) =>
      app.request(`${ORIGIN}/account/bidding/profile`, {
        method: 'POST',
        headers: { ...headers, Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form({
          name: 'X',
          phone: '+447700900111',
          country: 'GB',
          ...(csrf === undefined ? {} : { csrf }),
        }),
      });
    expect((await post(same)).status).toBe(403);
    expect((await post({ Origin: 'https://evil.example' }, csrfTokenFor(secret))).status).toBe(403);
    expect((await post({ 'Sec-Fetch-Site': 'cross-site' }, csrfTokenFor(secret))).status).toBe(403);
    expect(await db.query(`SELECT 1 FROM bidders WHERE phone_e164 = '+447700900111'`)).toHaveLength(0);
  });

  it('shows a refused field on the page again, then saves a good profile', async () => {
    const post = (fields: Record<string, string | string[]>) =>
      app.request(`${ORIGIN}/account/bidding/profile`, {
        method: 'POST',
        headers: { ...same, Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form({ csrf: csrfTokenFor(secret), ...fields }),
      });
    const bad = await post({ name: 'Page Bidder', phone: 'abc', country: 'GB' });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain('id="phone-error"');
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain('value="abc"');
    const good = await post({
      name: 'Page Bidder',
      phone: '+447700900222',
      country: 'GB',
      channels: ['sms'],
    });
    expect(good.status).toBe(303);
    expect(good.headers.get('location')).toBe('/account/bidding?done=profile');
  });

  it('keeps JSON changes behind the X-CSRF-Token header', async () => {
    const put = (headers: Record<string, string>) =>
      app.request(`${ORIGIN}/v1/me/profile`, {
        method: 'PUT',
        headers: { ...same, ...headers, Cookie: cookie, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'Json', phone: '+33612345678', country: 'FR', channels: [] }),
      });
    expect((await put({})).status).toBe(403);
    const ok = await put({ 'X-CSRF-Token': csrfTokenFor(secret) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ phone: '+33612345678', country: 'FR', complete: true });
    const overview = await app.request(`${ORIGIN}/v1/me/bidding`, { headers: { ...same, Cookie: cookie } });
    expect(overview.status).toBe(200);
  });

  it('turns staff away: they have no bidder profile', async () => {
    const staff = `__Host-gavel_session=${await session('staff@example.com', 'staff')}`;
    const page = await app.request(`${ORIGIN}/account/bidding`, { headers: { Cookie: staff } });
    expect(page.status).toBe(403);
    expect(await page.text()).toContain('This is a staff account');
    const french = await app.request(`${ORIGIN}/account/bidding`, {
      headers: { Cookie: staff, 'Accept-Language': 'fr' },
    });
    expect(french.status).toBe(403);
    expect(await french.text()).toContain('Ceci est un compte du personnel');
    const json = await app.request(`${ORIGIN}/v1/me/bidding`, { headers: { ...same, Cookie: staff } });
    expect(json.status).toBe(403);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
  });
});
