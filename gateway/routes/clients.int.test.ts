import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { DISTRIBUTED_GATEWAY_ENV, postBid, startTestGavel } from '../../test/support/gavel.ts';
import { startDemoGavel } from '../../test/support/clients.ts';
import { gatewayConfigFromEnv } from '../config.ts';
import { startGateway, type RunningGateway } from '../server.ts';
import { staticCatalogue } from '../../common/catalogue.ts';
import type { ErrorBody as ErrorJson } from '../../common/contracts/index.ts';

const signIn = (url: string, body: unknown): Promise<Response> =>
  fetch(`${url}/v1/demo/sign-in`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('client pages, catalogue and demo sign-in over HTTP (demo seeded)', () => {
  let g: RunningGateway;
  beforeAll(async () => {
    g = await startDemoGavel();
  });
  afterAll(async () => {
    await g.close();
  });

  it('serves the three pages, each naming its bundled script and the stylesheet', async () => {
    for (const [path, script] of [
      ['/', undefined],
      ['/floor', 'floor'],
      ['/bid', 'bid'],
      ['/room', 'room'],
    ] as const) {
      const res = await fetch(`${g.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      const html = await res.text();
      expect(html).toMatch(/href="\/assets\/styles\.[0-9a-f]{12}\.css"/);
      if (script !== undefined)
        expect(html).toMatch(new RegExp(`src="/assets/${script}\\.[0-9a-f]{12}\\.js"`));
      expect(html).not.toContain('{{');
    }
  });

  it('serves the bundled assets with their content types, cached for good under hashed names', async () => {
    const html = await (await fetch(`${g.url}/floor`)).text();
    const js = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const css = /href="(\/assets\/[^"]+\.css)"/.exec(html)?.[1];
    for (const [path, type] of [
      [js, 'text/javascript; charset=utf-8'],
      [css, 'text/css; charset=utf-8'],
    ] as const) {
      const res = await fetch(`${g.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect((await res.text()).length).toBeGreaterThan(100);
    }
    const script = await (await fetch(`${g.url}${js}`)).text();
    // Bundled from TypeScript: no type syntax, no imports left to resolve in the browser.
    expect(script).not.toMatch(/^import /m);
    expect(script).toContain('EventSource');
    const missing = await fetch(`${g.url}/assets/nope.123.js`);
    expect(missing.status).toBe(404);
  });

  it('sends pages and assets in brotli or gzip as the browser accepts, and as they are otherwise', async () => {
    const html = await (await fetch(`${g.url}/bid`)).text();
    const js = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1] ?? '';
    // node:http: fetch would decode the body and hide the encoding.
    const raw = (path: string, accept?: string) =>
      new Promise<{ encoding: string | undefined; vary: string | undefined; body: Buffer }>(
        (resolve, reject) => {
          const req = request(`${g.url}${path}`, {
            headers: accept === undefined ? {} : { 'Accept-Encoding': accept },
          });
          req.on('response', (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (b: Buffer) => chunks.push(b));
            res.on('end', () =>
              resolve({
                encoding: res.headers['content-encoding'],
                vary: res.headers.vary,
                body: Buffer.concat(chunks),
              }),
            );
          });
          req.on('error', reject);
          req.end();
        },
      );
    for (const path of [js, '/bid']) {
      const plain = await raw(path);
      expect([path, plain.encoding]).toEqual([path, undefined]);
      const br = await raw(path, 'gzip, deflate, br');
      expect([path, br.encoding]).toEqual([path, 'br']);
      // A page also varies by language (cookie, Accept-Language); every compressed answer by encoding.
      expect(br.vary?.split(/,\s*/), path).toContain('Accept-Encoding');
      if (path === '/bid') expect(br.vary?.split(/,\s*/)).toContain('Accept-Language');
      expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
      expect(br.body.length).toBeLessThan(plain.body.length / 2);
      const gz = await raw(path, 'gzip');
      expect(gz.encoding).toBe('gzip');
      expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    }
  });

  it('lists the sales and a sale\u2019s lots in order, with estimates as decimal strings', async () => {
    const list = (await (await fetch(`${g.url}/v1/sales`)).json()) as {
      sales: { id: string; mode: string }[];
    };
    expect(list.sales.map((s) => [s.id, s.mode])).toEqual([
      ['evening-live', 'live'],
      ['autumn-timed', 'timed'],
    ]);
    const res = await fetch(`${g.url}/v1/sales/autumn-timed`);
    const { sale } = (await res.json()) as {
      sale: {
        currency: string;
        lots: { id: string; lotNumber: string; estimateLow: string; imageUrl: string }[];
      };
    };
    expect(sale.currency).toBe('EUR');
    expect(sale.lots.map((l) => l.id)).toEqual(['timed-1', 'timed-2', 'timed-3']);
    expect(sale.lots[0]).toMatchObject({ lotNumber: '101', estimateLow: '2000.00' });
    expect(sale.lots[0]?.imageUrl).toMatch(/^data:image\/svg\+xml,/);
    // Every catalogue lot is an engine auction.
    for (const l of sale.lots) expect((await fetch(`${g.url}/v1/auctions/${l.id}`)).status).toBe(200);
    const unknown = await fetch(`${g.url}/v1/sales/nope`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ErrorJson).error.code).toBe('UNKNOWN_SALE');
  });

  it('signs in a demo bidder with a token the bid route accepts', async () => {
    const users = (await (await fetch(`${g.url}/v1/demo/users`)).json()) as { users: { id: string }[] };
    expect(users.users.map((u) => u.id)).toEqual([
      'bidder-alice',
      'bidder-bob',
      'bidder-carol',
      'demo-auctioneer',
    ]);
    const res = await signIn(g.url, { user: 'bidder-alice' });
    expect(res.status).toBe(200);
    const { token, user } = (await res.json()) as { token: string; user: { role: string } };
    expect(user.role).toBe('bidder');
    expect((await postBid(g.url, 'timed-2', token, { amount: '5000.00' }, randomUUID())).status).toBe(201);
  });

  it('signs in the demo auctioneer, whose token opens the floor console', async () => {
    const { token } = (await (await signIn(g.url, { user: 'demo-auctioneer' })).json()) as { token: string };
    const floor = await fetch(`${g.url}/v1/auctions/live-2/floor`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(floor.status).toBe(200);
  });

  it('refuses an unknown demo user (404) and a malformed body (400), as JSON errors', async () => {
    const unknown = await signIn(g.url, { user: 'mallory' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ErrorJson).error.code).toBe('UNKNOWN_USER');
    const bad = await signIn(g.url, { who: 'bidder-alice' });
    expect(bad.status).toBe(400);
  });
});

describe('without the demo', () => {
  let g: RunningGateway;
  beforeAll(async () => {
    g = await startTestGavel({ demo: false });
  });
  afterAll(async () => {
    await g.close();
  });

  it('has no demo sign-in and an empty catalogue', async () => {
    const res = await signIn(g.url, { user: 'bidder-alice' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorJson).error.code).toBe('NOT_FOUND');
    expect(await (await fetch(`${g.url}/v1/sales`)).json()).toEqual({ sales: [] });
  });
});

describe('an injected catalogue', () => {
  it('is what /v1/sales serves', async () => {
    const catalogue = staticCatalogue([
      { id: 'spring', title: 'Spring Sale', mode: 'timed', currency: 'GBP', lots: [] },
    ]);
    const config = { ...gatewayConfigFromEnv({}), port: 0, host: '127.0.0.1', demo: true };
    const g = await startGateway(config, createLogger('gavel', 'silent'), { catalogue, clients: false });
    try {
      const { sales } = (await (await fetch(`${g.url}/v1/sales`)).json()) as { sales: { id: string }[] };
      expect(sales.map((s) => s.id)).toEqual(['spring']);
      // clients: false serves no pages.
      expect((await fetch(`${g.url}/floor`)).status).toBe(404);
    } finally {
      await g.close();
    }
  });
});

describe('demo default', () => {
  it('is on in the embedded default and off when distributed (where it cannot be asked for: see demo/demo-fence.int.test.ts)', () => {
    expect(gatewayConfigFromEnv({}).demo).toBe(true);
    expect(gatewayConfigFromEnv({ GAVEL_DEMO: 'false' }).demo).toBe(false);
    const distributed = DISTRIBUTED_GATEWAY_ENV;
    expect(gatewayConfigFromEnv(distributed).demo).toBe(false);
  });
});
