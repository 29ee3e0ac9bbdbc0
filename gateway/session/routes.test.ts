import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { UserTokens } from '../../common/auth.ts';
import { errorHandler } from '../../common/http-errors.ts';
import { createLogger } from '../../common/logger.ts';
import { DevMailbox, startAccounts, type AccountsService } from '../../orchestrator/index.ts';
import { migrate, pgliteDatabase, type Database } from '../../orchestrator/ledger.ts';
import { sessionRoutes, SESSION_TOKEN_SECONDS } from './routes.ts';

/** The sign-in flow through `app.request()`, on the back office's accounts over in-memory PGlite. */
const ORIGIN = 'https://bids.example.com';
const KEY = 'routes-test-user-key-0123456789abcdef012345';
const ADMIN_KEY = 'routes-test-admin-key-0123456789abcdef01234';
const logger = createLogger('session-test', 'silent');
let db: Database;
let accounts: AccountsService;
let mailbox: DevMailbox;
let app: Hono;
const apiTokens = new UserTokens({ key: KEY, audience: 'api' });
const adminTokens = new UserTokens({ key: ADMIN_KEY, audience: 'admin' });

beforeAll(async () => {
  db = await pgliteDatabase();
  await migrate(db);
  mailbox = new DevMailbox();
  accounts = startAccounts(db, { mailbox, logger }).accounts;
  app = new Hono();
  app.onError(errorHandler(logger));
  app.route(
    '/',
    sessionRoutes({
      accounts: Promise.resolve(accounts),
      tokens: apiTokens,
      adminTokens,
      publicOrigin: ORIGIN,
      mailbox,
    }),
  );
}, 60_000);
afterAll(() => db.close());

const same = { 'Sec-Fetch-Site': 'same-origin' };
/** A form post's body: `{ type, body }` for post(). */
const form = (fields: Record<string, string>) => ({
  type: 'application/x-www-form-urlencoded',
  body: new URLSearchParams(fields).toString(),
});
const post = (
  path: string,
  init: { headers?: Record<string, string>; body?: string; cookie?: string; type?: string } = {},
) =>
  app.request(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: {
      ...(init.type === undefined ? {} : { 'Content-Type': init.type }),
      ...(init.cookie === undefined ? {} : { Cookie: init.cookie }),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
const code = async (res: Response): Promise<string> =>
  ((await res.json()) as { error: { code: string } }).error.code;

/** POST /v1/session/token from our origin, with a JSON body when given. */
const exchange = (cookie: string, body?: string) =>
  post('/v1/session/token', {
    cookie,
    headers: same,
    ...(body === undefined ? {} : { type: 'application/json', body }),
  });
/** GET /v1/session with a cookie. */
const session = (cookie: string) => app.request(`${ORIGIN}/v1/session`, { headers: { Cookie: cookie } });
/** The cookie session's CSRF token. */
const csrfOf = async (cookie: string): Promise<string> =>
  ((await (await session(cookie)).json()) as { csrfToken: string }).csrfToken;

/** Signs `email` up (or in), follows the mailed link and confirms it: the session cookie. */
async function signIn(email: string, name?: string, ua = 'Vitest'): Promise<string> {
  const sent = await post('/sign-in', {
    headers: same,
    ...form({ email, ...(name === undefined ? {} : { name }) }),
  });
  expect(sent.status).toBe(303);
  expect(sent.headers.get('location')).toBe('/sign-in/sent');
  const mail = mailbox.list().find((m) => m.to === email)!;
  const link = /https:\/\/\S+/.exec(mail.text)![0];
  expect(link.startsWith(`${ORIGIN}/sign-in/link?token=`)).toBe(true);
  // Following the link only shows a button (a mail scanner's GET does not use it up).
  const page = await app.request(link);
  expect(page.status).toBe(200);
  expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  expect(page.headers.get('cache-control')).toBe('no-store');
  const token = new URL(link).searchParams.get('token')!;
  expect(await page.text()).toContain(`value="${token}"`);
  const done = await post('/sign-in/link', { headers: { ...same, 'User-Agent': ua }, ...form({ token }) });
  expect(done.status).toBe(303);
  const cookie = done.headers.get('set-cookie')!;
  return cookie.split(';')[0]!;
}

describe('sign-in by email link and the cookie session', () => {
  it('signs a bidder up: the link is consumed by POST only, and sets a Secure HttpOnly SameSite=Lax cookie', async () => {
    await post('/sign-in', {
      headers: same,
      type: 'application/x-www-form-urlencoded',
      body: 'email=ada%40example.com&name=Ada',
    });
    const link = /https:\/\/\S+/.exec(mailbox.list()[0]!.text)![0];
    // Two GETs (a scanner, then the person) and the link still works.
    await app.request(link);
    await app.request(link);
    const token = new URL(link).searchParams.get('token')!;
    const res = await post('/sign-in/link', {
      headers: same,
      type: 'application/x-www-form-urlencoded',
      body: `token=${token}`,
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/bid');
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^__Host-gavel_session=[\w-]{43};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('Secure');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/');
    // The link is used now.
    const again = await post('/sign-in/link', {
      headers: same,
      type: 'application/x-www-form-urlencoded',
      body: `token=${token}`,
    });
    expect(again.status).toBe(400);
    expect(again.headers.get('set-cookie')).toBeNull();

    const cookie = setCookie.split(';')[0]!;
    const me = await app.request(`${ORIGIN}/v1/session`, { headers: { Cookie: cookie } });
    expect(me.status).toBe(200);
    const body = (await me.json()) as { account: { kind: string; name: string }; csrfToken: string };
    expect(body.account).toMatchObject({ kind: 'bidder', name: 'Ada' });
    expect(body.csrfToken).toMatch(/^[\w-]{43}$/);
  });

  it('refuses a link confirmed from another site (login CSRF)', async () => {
    await post('/sign-in', {
      headers: same,
      type: 'application/x-www-form-urlencoded',
      body: 'email=eve%40example.com&name=Eve',
    });
    const token = new URL(/https:\/\/\S+/.exec(mailbox.list()[0]!.text)![0]).searchParams.get('token')!;
    const res = await post('/sign-in/link', {
      headers: { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' },
      type: 'application/x-www-form-urlencoded',
      body: `token=${token}`,
    });
    expect(res.status).toBe(403);
    expect(await code(res)).toBe('CSRF_FAILED');
  });

  it('exchanges a session for a 5-minute API token, only from our origin', async () => {
    const cookie = await signIn('bea@example.com', 'Bea');
    const refused = await post('/v1/session/token', { cookie, headers: { Origin: 'https://evil.example' } });
    expect(refused.status).toBe(403);
    expect(await code(refused)).toBe('CSRF_FAILED');
    const noCookie = await post('/v1/session/token', { headers: same });
    expect(noCookie.status).toBe(401);

    const res = await post('/v1/session/token', { cookie, headers: same });
    expect(res.status).toBe(200);
    const { token, user } = (await res.json()) as {
      token: string;
      user: { id: string; role: string; name: string };
    };
    expect(user).toMatchObject({ role: 'bidder', name: 'Bea' });
    const verified = await apiTokens.verify(token);
    expect(verified).toEqual({ id: user.id, role: 'bidder', name: 'Bea' });
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
      iat: number;
      exp: number;
      aud: string;
    };
    expect(claims.exp - claims.iat).toBe(SESSION_TOKEN_SECONDS);
    expect(claims.aud).toBe('gavel-bidder');
    const badJson = await exchange(cookie, '{"audience":');
    expect(await code(badJson)).toBe('BAD_JSON');
    const badAudience = await exchange(cookie, '{"audience":"hub"}');
    expect(await code(badAudience)).toBe('VALIDATION_FAILED');
    // A bidder has no admin-API role.
    const admin = await exchange(cookie, '{"audience":"admin"}');
    expect(admin.status).toBe(403);
  });

  it("gives a staff admin an admin-API token, and lets them revoke a clerk's session", async () => {
    await accounts.store.ensure({
      kind: 'staff',
      email: 'boss@house.example',
      name: 'Boss',
      roles: ['admin'],
    });
    await accounts.store.ensure({
      kind: 'staff',
      email: 'clerk@house.example',
      name: 'Clerk',
      roles: ['auctioneer'],
    });
    const boss = await signIn('boss@house.example');
    const clerk = await signIn('clerk@house.example');
    const adminToken = await exchange(boss, '{"audience":"admin"}');
    const { token } = (await adminToken.json()) as { token: string };
    expect((await adminTokens.verify(token)).role).toBe('admin');
    const clerkToken = (await (await post('/v1/session/token', { cookie: clerk, headers: same })).json()) as {
      user: { role: string };
    };
    expect(clerkToken.user.role).toBe('auctioneer');

    const clerkMe = (await (
      await app.request(`${ORIGIN}/v1/session`, { headers: { Cookie: clerk } })
    ).json()) as { session: { ref: string } };
    const bossMe = (await (
      await app.request(`${ORIGIN}/v1/session`, { headers: { Cookie: boss } })
    ).json()) as { csrfToken: string };
    const body = JSON.stringify({ ref: clerkMe.session.ref });
    // Without the CSRF token: refused, the clerk still signed in.
    const noCsrf = await post('/v1/session/revoke', {
      cookie: boss,
      headers: same,
      type: 'application/json',
      body,
    });
    expect(await code(noCsrf)).toBe('CSRF_FAILED');
    expect((await session(clerk)).status).toBe(200);
    const ok = await post('/v1/session/revoke', {
      cookie: boss,
      headers: { ...same, 'X-CSRF-Token': bossMe.csrfToken },
      type: 'application/json',
      body,
    });
    expect(ok.status).toBe(204);
    expect((await session(clerk)).status).toBe(401);
  });

  it('signs out with the CSRF token, and everywhere', async () => {
    const one = await signIn('cat@example.com', 'Cat', 'phone');
    const two = await signIn('cat@example.com', undefined, 'laptop');
    const csrf = await csrfOf(one);
    const forged = await post('/sign-out', {
      cookie: one,
      headers: same,
      type: 'application/x-www-form-urlencoded',
      body: 'csrf=nope',
    });
    expect(await code(forged)).toBe('CSRF_FAILED');
    // The other session's token is not this one's.
    const csrfTwo = await csrfOf(two);
    expect(csrfTwo).not.toBe(csrf);
    const out = await post('/sign-out', {
      cookie: one,
      headers: same,
      type: 'application/x-www-form-urlencoded',
      body: `csrf=${csrf}`,
    });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/^__Host-gavel_session=;/);
    expect((await session(one)).status).toBe(401);
    expect((await session(two)).status).toBe(200);

    const three = await signIn('cat@example.com', undefined, 'tablet');
    // The account's sessions, by user agent, newest first; one revoked; no secret nor hash in them.
    const mine = (await (
      await app.request(`${ORIGIN}/v1/session/sessions`, { headers: { Cookie: three } })
    ).json()) as { sessions: { userAgent: string; revokedAt: string | null }[] };
    expect(mine.sessions.map((x) => [x.userAgent, x.revokedAt === null])).toEqual([
      ['tablet', true],
      ['laptop', true],
      ['phone', false],
    ]);
    expect(JSON.stringify(mine)).not.toContain(three.split('=')[1]!);
    const csrfThree = await csrfOf(three);
    const all = await post('/v1/session/sign-out-everywhere', {
      cookie: three,
      headers: { ...same, 'X-CSRF-Token': csrfThree },
    });
    expect(await all.json()).toEqual({ revoked: 2 });
    for (const c of [two, three]) expect((await session(c)).status).toBe(401);
    // Signed out: not even the list of sessions.
    const listed = await app.request(`${ORIGIN}/v1/session/sessions`, { headers: { Cookie: two } });
    expect(listed.status).toBe(401);
  });

  it('shows the account page with sign-out forms carrying the CSRF token, and sends the signed-out to /sign-in', async () => {
    const cookie = await signIn('dora@example.com', 'Dora <b>');
    const page = await app.request(`${ORIGIN}/account`, { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    // The name is escaped, the forms carry this session's token.
    expect(html).toContain('Signed in as Dora &lt;b&gt;');
    expect(html).toContain(`name="csrf" value="${await csrfOf(cookie)}"`);
    const anonymous = await app.request(`${ORIGIN}/account`);
    expect([anonymous.status, anonymous.headers.get('location')]).toEqual([303, '/sign-in']);
  });

  it('shows a bidder their account page in French, with the EN | FR switch back to /account', async () => {
    const cookie = await signIn('elise@example.com', 'Élise');
    const en = await app.request(`${ORIGIN}/account`, {
      headers: { Cookie: cookie, 'Accept-Language': 'en' },
    });
    const enHtml = await en.text();
    expect(enHtml).toContain('<html lang="en">');
    expect(enHtml).toContain('Sign out everywhere');
    const asks: Record<string, string>[] = [
      { Cookie: cookie, 'Accept-Language': 'fr-BE, fr;q=0.8' },
      { Cookie: `${cookie}; lang=fr` },
    ];
    for (const headers of asks) {
      const page = await app.request(`${ORIGIN}/account?notice=passkey-removed`, { headers });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-language')).toBe('fr');
      const html = await page.text();
      expect(html).toContain('<html lang="fr">');
      expect(html).toContain('Connecté·e en tant que Élise');
      expect(html).toContain('Clé d’accès supprimée.');
      expect(html).toContain('Mes enchères\u00a0: coordonnées, inscriptions, lots remportés');
      expect(html).toContain('Se déconnecter partout');
      expect(html).not.toContain('Sign out everywhere');
      expect(html).toContain('href="/lang/en?next=%2Faccount"');
    }
    // Staff pages stay English, whatever the browser asks.
    await accounts.store.ensure({ kind: 'staff', email: 'porter@house.example', name: 'Porter', roles: [] });
    const staff = await signIn('porter@house.example');
    const staffPage = await app.request(`${ORIGIN}/account`, {
      headers: { Cookie: staff, 'Accept-Language': 'fr' },
    });
    const staffHtml = await staffPage.text();
    expect(staffHtml).toContain('<html lang="en">');
    expect(staffHtml).toContain('Sign out everywhere');
    expect(staffHtml).not.toContain('class="lang-switch"');
  });

  it('names the field of a bad address on the form, and sends nothing', async () => {
    const notAForm = await post('/sign-in', {
      headers: same,
      type: 'application/json',
      body: '{"email":"x@example.com"}',
    });
    expect(await code(notAForm)).toBe('UNSUPPORTED_MEDIA_TYPE');
    const before = mailbox.list().length;
    const res = await post('/sign-in', {
      headers: same,
      type: 'application/x-www-form-urlencoded',
      body: 'email=nope&name=X',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('email must be an address');
    expect(mailbox.list()).toHaveLength(before);
  });

  it('sends one address at most 5 links per 15 minutes, whatever its case', async () => {
    const ask = (email: string) =>
      post('/v1/session/link', {
        headers: same,
        type: 'application/json',
        body: JSON.stringify({ email, name: 'Flood' }),
      });
    const before = mailbox.list().length;
    for (let i = 0; i < 5; i++)
      expect((await ask(i % 2 === 0 ? 'flood@example.com' : 'FLOOD@example.com')).status).toBe(202);
    const refused = await ask('Flood@Example.com');
    expect(refused.status).toBe(429);
    expect(await code(refused)).toBe('RATE_LIMITED');
    expect(mailbox.list()).toHaveLength(before + 5);
    // Another address is not held up by it.
    expect((await ask('other@example.com')).status).toBe(202);
  });

  it('fences /dev/mail like the demo sign-in: not for a request from no local socket', async () => {
    const res = await app.request(`${ORIGIN}/dev/mail`);
    expect(res.status).toBe(403);
    expect(await code(res)).toBe('DEMO_LOCAL_ONLY');
  });
});

describe('/sign-in?next= (back to the page that asked, on this site only)', () => {
  /** Asks for a link from a form carrying `next`; the cookies the answer set and the mailed token. */
  async function requestWithNext(
    email: string,
    next: string,
  ): Promise<{ kept: string | undefined; token: string }> {
    const sent = await post('/sign-in', { headers: same, ...form({ email, name: 'Nell', next }) });
    expect(sent.status).toBe(303);
    const kept = sent.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .find((c) => c.startsWith('gavel_next='));
    const mail = mailbox.list().find((m) => m.to === email)!;
    const token = new URL(/https:\/\/\S+/.exec(mail.text)![0]).searchParams.get('token')!;
    return { kept, token };
  }

  it('carries next through the sign-in form, in the page’s language', async () => {
    const page = await app.request(`${ORIGIN}/sign-in?next=${encodeURIComponent('/bid#lot=live-1')}`, {
      headers: { 'Accept-Language': 'fr-FR' },
    });
    const html = await page.text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('Se connecter à Gavel');
    expect(html).toContain('data-say-waiting="En attente de votre clé d’accès…"');
    expect(html.match(/<input type="hidden" name="next" value="\/bid#lot=live-1" \/>/g)).toHaveLength(2);
    const away = await (await app.request(`${ORIGIN}/sign-in?next=%2F%2Fevil.example`)).text();
    expect(away).not.toContain('name="next"');
    expect(away).toContain('<html lang="en">');
  });

  it('lands on next once the emailed link is confirmed in the same browser, and forgets it', async () => {
    const { kept, token } = await requestWithNext('nell@example.com', '/bid#lot=live-1');
    expect(kept).toBe(`gavel_next=${encodeURIComponent('/bid#lot=live-1')}`);
    const done = await post('/sign-in/link', { headers: same, cookie: kept, ...form({ token }) });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/bid#lot=live-1');
    expect(done.headers.getSetCookie().some((c) => /^gavel_next=;/.test(c))).toBe(true);
  });

  it('ignores a next that leaves the site, in the form or in a forged cookie', async () => {
    const { kept, token } = await requestWithNext('otto@example.com', 'https://evil.example/');
    expect(kept).toBeUndefined();
    const forged = `gavel_next=${encodeURIComponent('//evil.example/')}`;
    const done = await post('/sign-in/link', { headers: same, cookie: forged, ...form({ token }) });
    expect(done.headers.get('location')).toBe('/bid');
  });
});
