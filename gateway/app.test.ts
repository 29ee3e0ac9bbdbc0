import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserTokens } from '../common/auth.ts';
import { timedSetup } from '../test/support/bidding.ts';
import { signClaims, tokenClaims } from '../test/support/tokens.ts';
import { DEMO_SALES } from './demo/seed.ts';
import { handlerGateway, type HandlerGateway } from './handler-kit.ts';

/* The gateway's shared behaviour through app.request(): no Redis, no PostgreSQL, no socket. */

describe('the gateway in process: health, unknown routes, request ids', () => {
  let g: HandlerGateway;
  beforeAll(async () => {
    g = await handlerGateway();
  });
  afterAll(async () => {
    await g.close();
  });

  it('answers /healthz', async () => {
    const res = await g.call('GET', '/healthz');
    expect([res.status, res.body]).toEqual([200, { status: 'ok' }]);
  });

  it('answers an unknown route with a JSON 404 naming it', async () => {
    const res = await g.call('GET', '/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error?.code).toBe('NOT_FOUND');
    expect(res.body.error?.message).toContain('GET /v1/nothing-here');
  });

  it('gives every answer a request id, and keeps the caller’s', async () => {
    const mine = await g.call('GET', '/healthz', { headers: { 'X-Request-Id': 'trace-42' } });
    expect(mine.headers.get('x-request-id')).toBe('trace-42');
    const made = await g.call('GET', '/healthz');
    expect(made.headers.get('x-request-id')).toMatch(/\S{8,}/);
  });
});

describe('the gateway in process: who may call', () => {
  let g: HandlerGateway;
  let alice: string;
  const lot = 'auth-lot';
  beforeAll(async () => {
    g = await handlerGateway();
    await g.store!.configure(timedSetup(lot, Date.now()));
    await g.store!.setEligibility(lot, 'alice', 1_000_000);
    alice = await g.sign('alice', 'bidder');
  });
  afterAll(async () => {
    await g.close();
  });
  const bid = (token: string | undefined, headers: Record<string, string> = {}) =>
    g.call('POST', `/v1/auctions/${lot}/bids`, { token, body: { amount: '100.00' }, headers });

  it('refuses a bid without a token (401 UNAUTHENTICATED) and takes it with one', async () => {
    const none = await bid(undefined);
    expect([none.status, none.body.error?.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect((await bid(alice)).status).toBe(201);
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    const res = await bid(undefined, { Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` });
    expect([res.status, res.body.error?.code]).toEqual([401, 'TOKEN_INVALID']);
  });

  it('refuses expired, forged and other-audience tokens, naming why', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = tokenClaims({ id: 'alice', role: 'bidder' }, 'api');
    const expired = await signClaims(g.config.userJwtKey!, { ...claims, iat: now - 3600, exp: now - 120 });
    expect((await bid(expired)).body.error?.code).toBe('TOKEN_EXPIRED');
    const forged = await signClaims('not-the-key-but-just-as-long-as-one', claims);
    expect((await bid(forged)).body.error?.code).toBe('TOKEN_INVALID');
    // The admin API's token, signed with the very same key, is not an API token.
    const admin = await new UserTokens({ key: g.config.userJwtKey!, audience: 'admin' }).sign({
      id: 'root',
      role: 'admin',
      name: 'Root',
    });
    const other = await bid(admin);
    expect(other.status).toBe(401);
    expect(other.body.error?.code).toMatch(/^TOKEN_/);
  });

  it('refuses a role the route is not for (403 FORBIDDEN)', async () => {
    const clerk = await g.sign('clerk', 'auctioneer');
    const res = await bid(clerk);
    expect([res.status, res.body.error?.code]).toEqual([403, 'FORBIDDEN']);
    const floor = await g.call('GET', `/v1/auctions/${lot}/floor`, { token: alice });
    expect([floor.status, floor.body.error?.code]).toEqual([403, 'FORBIDDEN']);
  });
});

describe('the gateway in process: hub tokens', () => {
  let g: HandlerGateway;
  beforeAll(async () => {
    g = await handlerGateway({ hubTokenTtlSeconds: 600 });
  });
  afterAll(async () => {
    await g.close();
  });

  it('gives a bidder their own topic (public sales need none), in the body and the hub cookie', async () => {
    const res = await g.call('POST', '/v1/hub-token', { token: await g.sign('alice', 'bidder') });
    expect(res.status).toBe(200);
    const topic = 'https://gavel.local/bidders/alice';
    expect(res.body).toMatchObject({ hubUrl: g.hubUrl, privateTopic: topic });
    // Invite-only sales' topics are added for the invited (gateway/routes/invite-only.int.test.ts).
    expect(res.body.subscribe).toEqual([topic]);
    const claims = decodeJwt(res.body.token as string) as { mercure?: { subscribe?: string[] } };
    expect(claims.mercure?.subscribe).toEqual(res.body.subscribe);
    expect(res.headers.get('set-cookie')).toMatch(/^mercureAuthorization=.+Path=\/\.well-known\/mercure/);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('gives staff and anonymous callers no private topic', async () => {
    for (const token of [await g.sign('clerk', 'auctioneer'), undefined]) {
      const res = await g.call('POST', '/v1/hub-token', { token });
      expect(res.status).toBe(200);
      expect(res.body.privateTopic).toBeNull();
      // Staff: every auction, sale and staff-sale topic (invite-only sales' updates are private); anonymous: none.
      expect(res.body.subscribe).toHaveLength(token === undefined ? 0 : 3);
    }
  });
});

describe('the gateway in process: the catalogue', () => {
  let g: HandlerGateway;
  beforeAll(async () => {
    g = await handlerGateway({ demo: true });
  });
  afterAll(async () => {
    await g.close();
  });

  it('lists the sales, and serves one sale with its lots in order', async () => {
    const list = await g.call('GET', '/v1/sales');
    expect(list.status).toBe(200);
    const sales = list.body.sales as { id: string }[];
    expect(sales.map((s) => s.id)).toEqual(DEMO_SALES.map((s) => s.id));
    const first = DEMO_SALES[0]!;
    const one = await g.call('GET', `/v1/sales/${first.id}`);
    expect(one.status).toBe(200);
    const sale = one.body.sale as { lots: { id: string; estimate: unknown }[] };
    expect(sale.lots.map((l) => l.id)).toEqual(first.lots.map((l) => l.id));
  });

  it('answers an unknown sale with 404 UNKNOWN_SALE', async () => {
    const res = await g.call('GET', '/v1/sales/no-such-sale');
    expect([res.status, res.body.error?.code]).toEqual([404, 'UNKNOWN_SALE']);
  });

  it('tells a signed-in bidder their own mask on a sale, and no one else', async () => {
    const saleId = DEMO_SALES[0]!.id;
    const alice = await g.sign('alice', 'bidder');
    const mine = await g.call('GET', `/v1/sales/${saleId}/me`, { token: alice });
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({ saleId, bidderId: 'alice', mask: g.masks.bidder(saleId, 'alice') });
    expect(mine.headers.get('cache-control')).toBe('private, no-store');
    expect((await g.call('GET', `/v1/sales/${saleId}/me`)).status).toBe(401);
    const unknown = await g.call('GET', '/v1/sales/no-such-sale/me', { token: alice });
    expect(unknown.body.error?.code).toBe('UNKNOWN_SALE');
  });
});
