import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.ts';
import { inProcessAdmin, type InProcessAdmin } from '../admin/test-kit.ts';
import { backOfficeCatalogue, catalogueApi } from './api.ts';

let a: InProcessAdmin;
beforeAll(async () => {
  a = await inProcessAdmin();
}, 120_000);
afterAll(() => a?.close());

describe('catalogue API: lot images', () => {
  it('serves https: and data:image URLs, and leaves out an image the pages must not load', async () => {
    const images: Record<string, string> = {
      'l-https': 'https://images.example/1.jpg',
      'l-svg': 'data:image/svg+xml,%3Csvg%20xmlns%3D%22http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg%22%2F%3E',
      'l-js': 'javascript:alert(1)',
      'l-vb': 'vbscript:msgbox(1)',
      'l-html': 'data:text/html,<script>alert(1)</script>',
      'l-http': 'http://images.example/1.jpg',
      'l-rel': '/images/1.jpg',
      'l-noproto': '//images.example/1.jpg',
    };
    const lots = Object.keys(images).map((id) => ({ id }));
    await a.build.setUp({ sale: { id: 's-cat' }, lots, publish: true });
    // Rows as an older admin API (or a hand-edited database) could have left them.
    for (const [id, url] of Object.entries(images))
      await a.db.query('UPDATE lots SET image_url = $2 WHERE id = $1', [id, url]);
    const app = catalogueApi(a.db, createLogger('catalogue-test', 'silent'));
    const res = await app.request('/sales/s-cat');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { sale: { lots: { id: string; imageUrl?: string }[] } };
    const served = Object.fromEntries(body.sale.lots.map((l) => [l.id, l.imageUrl ?? null]));
    expect(served).toEqual({
      'l-https': images['l-https'],
      'l-svg': images['l-svg'],
      'l-js': null,
      'l-vb': null,
      'l-html': null,
      'l-http': null,
      'l-rel': null,
      'l-noproto': null,
    });
  });
});

describe('catalogue from the back office', () => {
  it('holds the sales published through the admin API, their lots in order, and nothing else', async () => {
    const catalogue = backOfficeCatalogue(a.db);
    await a.build.setUp({
      sale: { id: 's-pub-cat', title: 'Autumn', currency: 'GBP' },
      lots: [
        { id: 'l-b', lotNumber: 2, title: 'Vase', estimateLow: '100.00', estimateHigh: '150.00' },
        { id: 'l-a', lotNumber: 1, title: 'Clock' },
      ],
      publish: true,
    });
    await a.build.setUp({ sale: { id: 's-draft-cat' }, lots: [{ id: 'l-draft' }] });
    // What a bidder must know (0015): the sale's premium and tax, a lot's own premium and condition report.
    await a.ok('PATCH', '/sales/s-pub-cat', {
      premiumBands: [
        { upTo: '1000.00', rateBp: 2500 },
        { upTo: null, rateBp: 2000 },
      ],
      taxRateBp: 2000,
    });
    await a.ok('PATCH', '/lots/l-b', {
      conditionReport: 'A hairline crack to the foot.',
      premiumBands: [{ upTo: null, rateBp: 1250 }],
    });
    const mine = (await catalogue.sales()).filter((s) => ['s-pub-cat', 's-draft-cat'].includes(s.id));
    expect(mine).toEqual([{ id: 's-pub-cat', title: 'Autumn', mode: 'timed', currency: 'GBP', lotCount: 2 }]);
    expect(await catalogue.sale('s-pub-cat')).toEqual({
      id: 's-pub-cat',
      title: 'Autumn',
      mode: 'timed',
      currency: 'GBP',
      // The house did not set one: bids of 10,000 and more are confirmed, once per lot.
      bidConfirmation: { ask: 'once_per_lot', from: '10000.00' },
      // Decimal strings and basis points: never a float on the wire.
      buyerTerms: {
        premium: [
          { upTo: '1000.00', rateBp: 2500 },
          { upTo: null, rateBp: 2000 },
        ],
        taxRateBp: 2000,
        taxBase: 'premium',
        termsVersion: 0,
      },
      lots: [
        { id: 'l-a', lotNumber: '1', title: 'Clock', description: '', estimateLow: '', estimateHigh: '' },
        {
          id: 'l-b',
          lotNumber: '2',
          title: 'Vase',
          description: '',
          estimateLow: '100.00',
          estimateHigh: '150.00',
          conditionReport: 'A hairline crack to the foot.',
          premium: [{ upTo: null, rateBp: 1250 }],
        },
      ],
    });
    // With terms published, the line links to where a bidder reads them.
    await a.ok('POST', '/sales/s-pub-cat/terms', { body: 'Conditions of sale.' });
    expect((await catalogue.sale('s-pub-cat'))?.buyerTerms).toMatchObject({
      termsVersion: 1,
      termsUrl: '/account/sales/s-pub-cat/register',
    });
    expect(await catalogue.sale('s-draft-cat')).toBeUndefined();
    expect(await catalogue.sale('nope')).toBeUndefined();
    // The HTTP face answers the same, and 404 for what is not published.
    const app = catalogueApi(a.db, createLogger('catalogue-test', 'silent'));
    const list = (await (await app.request('/sales')).json()) as { sales: { id: string }[] };
    expect(list.sales.map((s) => s.id)).toContain('s-pub-cat');
    expect(list.sales.map((s) => s.id)).not.toContain('s-draft-cat');
    const draft = await app.request('/sales/s-draft-cat');
    expect(draft.status).toBe(404);
    expect(((await draft.json()) as { error: { code: string } }).error.code).toBe('UNKNOWN_SALE');
    await a.ok('DELETE', '/sales/s-pub-cat');
    expect(await catalogue.sale('s-pub-cat')).toBeUndefined();
  });
});

describe('catalogue: registered paddles (staff only)', () => {
  it('gives staff the approved registrations’ paddles by bidder, and nobody else anything', async () => {
    await a.build.setUp({
      bidders: ['bidder-pa', 'bidder-pb', 'bidder-pc'],
      sale: { id: 's-paddles', mode: 'live' },
      lots: [{ id: 'l-paddles' }],
      publish: true,
      register: ['bidder-pa', 'bidder-pb'],
    });
    await a.build.register('s-paddles', ['bidder-pc'], { approve: false });
    const [pa, pb] = (
      await a.db.query<{ bidder_id: string; paddle: string }>(
        "SELECT bidder_id, paddle FROM registrations WHERE sale_id = 's-paddles' AND status = 'approved' ORDER BY bidder_id",
      )
    ).map((r) => r.paddle);
    const staff = { id: 'clerk', role: 'auctioneer' as const };
    const catalogue = backOfficeCatalogue(a.db);
    // The pending registration is not there: a bidder who may not bid is never called.
    expect(await catalogue.paddles?.('s-paddles', staff)).toEqual({ 'bidder-pa': pa, 'bidder-pb': pb });
    expect(await catalogue.paddles?.('s-paddles', { id: 'bidder-pa', role: 'bidder' })).toBeUndefined();
    expect(await catalogue.paddles?.('nope', staff)).toBeUndefined();

    // Over HTTP: with the service token and a staff viewer only.
    const app = catalogueApi(a.db, createLogger('catalogue-test', 'silent'), { serviceToken: 'svc' });
    const ask = (viewer?: string, token?: string) =>
      app.request('/sales/s-paddles/paddles', {
        headers: {
          ...(viewer === undefined ? {} : { 'X-Gavel-Viewer': viewer }),
          ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
        },
      });
    const ok = await ask('auctioneer:clerk', 'svc');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ paddles: { 'bidder-pa': pa, 'bidder-pb': pb } });
    expect((await ask('bidder:bidder-pa', 'svc')).status).toBe(404);
    expect((await ask()).status).toBe(404);
    expect((await ask('auctioneer:clerk', 'wrong')).status).toBe(401);
  });
});
