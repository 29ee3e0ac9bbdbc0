import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuctionSetup } from '../../bidding/index.ts';
import { timedSetup } from '../../test/support/bidding.ts';
import { handlerGateway, type HandlerGateway, type JsonAnswer } from '../handler-kit.ts';

/* Bids and auction reads through app.request(), on the in-process engine: no Redis, no socket. */

describe('bids in process', () => {
  let g: HandlerGateway;
  let alice: string;
  let bob: string;
  const auction = (): string => `a-${randomUUID().slice(0, 8)}`;

  async function open(id: string, overrides: Partial<AuctionSetup> = {}): Promise<void> {
    await g.store!.configure(timedSetup(id, Date.now(), overrides));
    await g.store!.setEligibility(id, 'alice', 1_000_000);
    await g.store!.setEligibility(id, 'bob', 1_000_000);
  }
  const bid = (id: string, token: string, body: unknown, key?: string | null): Promise<JsonAnswer> =>
    g.call('POST', `/v1/auctions/${id}/bids`, { token, body, key });

  beforeAll(async () => {
    g = await handlerGateway({ ratePerSecond: 100, rateBurst: 200 });
    alice = await g.sign('alice', 'bidder');
    bob = await g.sign('bob', 'bidder');
  });
  afterAll(async () => {
    await g.close();
  });

  it('accepts a bid with 201 and the decided bid, money as decimal strings', async () => {
    const id = auction();
    await open(id);
    const res = await bid(id, alice, { amount: '150.00', max: '300.00' });
    expect(res.status).toBe(201);
    expect(res.body.bid).toMatchObject({
      seq: 1,
      outcome: 'accepted',
      amount: '150.00',
      max: '300.00',
      price: '150.00',
      leading: true,
      currency: 'EUR',
    });
    expect(await g.store!.decisions(id)).toHaveLength(1);
  });

  it.each([
    ['no Idempotency-Key', { amount: '100.00' }, null, 400, 'MISSING_IDEMPOTENCY_KEY', 'Idempotency-Key'],
    ['a key with a space', { amount: '100.00' }, 'a key', 400, 'BAD_IDEMPOTENCY_KEY', 'Idempotency-Key'],
    ['malformed JSON', '{"amount":', undefined, 400, 'BAD_JSON', 'JSON'],
    ['a key named twice', '{"amount":"1","amount":"900.00"}', undefined, 400, 'DUPLICATE_KEY', 'amount'],
    ['no amount', {}, undefined, 400, 'VALIDATION_FAILED', 'amount'],
    ['an unknown field', { amount: '100.00', price: '1' }, undefined, 400, 'VALIDATION_FAILED', 'price'],
    ['a float number', { amount: 100.5 }, undefined, 400, 'VALIDATION_FAILED', 'amount'],
    ['too many decimals', { amount: '100.001' }, undefined, 400, 'BAD_SCALE', 'amount'],
    ['a zero amount', { amount: '0' }, undefined, 400, 'BAD_AMOUNT', 'amount'],
    ['max below amount', { amount: '200.00', max: '100.00' }, undefined, 400, 'MAX_BELOW_AMOUNT', 'max'],
  ] as const)(
    'refuses %s with a 4xx JSON body naming the problem',
    async (_l, body, key, status, code, names) => {
      const id = auction();
      await open(id);
      const res = await bid(id, alice, body, key);
      expect([res.status, res.body.error?.code]).toEqual([status, code]);
      expect(res.body.error?.message).toContain(names);
      expect(await g.store!.decisions(id)).toHaveLength(0);
    },
  );

  it('refuses a body that is not JSON (415) or too large (413), deciding nothing', async () => {
    const id = auction();
    await open(id);
    const text = await g.call('POST', `/v1/auctions/${id}/bids`, {
      token: alice,
      body: 'amount=1',
      headers: { 'Content-Type': 'text/plain' },
    });
    expect([text.status, text.body.error?.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const big = await bid(id, alice, JSON.stringify({ amount: '1', pad: 'x'.repeat(20_000) }));
    expect([big.status, big.body.error?.code]).toEqual([413, 'BODY_TOO_LARGE']);
    expect(await g.store!.decisions(id)).toHaveLength(0);
  });

  it('answers a retry with the same key once, with the same body, and refuses the key for another bid', async () => {
    const id = auction();
    await open(id);
    const key = randomUUID();
    const first = await bid(id, alice, { amount: '100.00' }, key);
    const again = await bid(id, alice, { amount: '100.00' }, key);
    expect(first.status).toBe(201);
    expect([again.status, again.body]).toEqual([first.status, first.body]);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const reused = await bid(id, alice, { amount: '900.00' }, key);
    expect([reused.status, reused.body.error?.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    expect(await g.store!.decisions(id)).toHaveLength(1);
  });

  it('maps refusals to their status with the reason code, a sentence and the decided bid', async () => {
    const id = auction();
    await open(id);
    await g.store!.setEligibility(id, 'bob', 20_000);
    const low = await bid(id, alice, { amount: '50.00' });
    expect([low.status, low.body.error?.code]).toEqual([409, 'TOO_LOW']);
    expect(low.body.error?.message).toContain('100.00 EUR');
    expect((await bid(id, alice, { amount: '100.00' })).status).toBe(201);
    const outbid = await bid(id, bob, { amount: '100.00' });
    expect([outbid.status, outbid.body.error?.code]).toEqual([409, 'OUTBID']);
    expect(outbid.body.error?.details?.bid).toMatchObject({ outcome: 'rejected', asking: '150.00' });
    const over = await bid(id, bob, { amount: '150.00', max: '900.00' });
    expect([over.status, over.body.error?.code]).toEqual([403, 'OVER_LIMIT']);
    const carol = await g.sign('carol', 'bidder');
    const ne = await bid(id, carol, { amount: '150.00' });
    expect([ne.status, ne.body.error?.code]).toEqual([403, 'NOT_ELIGIBLE']);
    const unknown = await bid('no-such-auction', alice, { amount: '100.00' });
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'UNKNOWN_AUCTION']);
  });

  it('refuses bids before the start and after the end (409)', async () => {
    const closed = auction();
    await open(closed, { startsAt: Date.now() - 10_000, endsAt: Date.now() - 5_000, graceMs: 0 });
    const c = await bid(closed, alice, { amount: '150.00' });
    expect([c.status, c.body.error?.code]).toEqual([409, 'CLOSED']);
    const notYet = auction();
    await open(notYet, { startsAt: Date.now() + 60_000 });
    const n = await bid(notYet, alice, { amount: '150.00' });
    expect([n.status, n.body.error?.code]).toEqual([409, 'NOT_STARTED']);
  });

  it('serves the snapshot with the hub and the resume point, and the leader', async () => {
    const id = auction();
    await open(id);
    await bid(id, alice, { amount: '100.00' });
    await bid(id, bob, { amount: '150.00' });
    const snap = await g.call('GET', `/v1/auctions/${id}`);
    expect(snap.status).toBe(200);
    expect(snap.body.auction).toMatchObject({ auctionId: id, price: '150.00', bidCount: 2, seq: 2 });
    const hub = snap.body.hub as { url: string; topics: string[]; lastEventId: string };
    expect(hub.url).toBe(g.hubUrl);
    expect(hub.topics).toEqual([`https://gavel.local/auctions/${id}`, 'https://gavel.local/sales/sale-1']);
    expect(snap.headers.get('link')).toBe(`<${g.hubUrl}>; rel="mercure"; last-event-id="${hub.lastEventId}"`);
    expect(snap.headers.get('cache-control')).toBe('no-store');
    const leader = await g.call('GET', `/v1/auctions/${id}/leader`);
    expect(leader.body).toMatchObject({
      leader: g.masks.leader('sale-1', 'bob', 'bid'),
      amount: '150.00',
      currency: 'EUR',
      bidCount: 2,
    });
    expect(leader.body.leader).toMatch(/^Bidder [0-9A-F]{6}$/);
    expect(leader.body.endsInSeconds).toBeGreaterThan(3000);
    const none = await g.call('GET', '/v1/auctions/no-such-auction');
    expect([none.status, none.body.error?.code]).toEqual([404, 'UNKNOWN_AUCTION']);
  });

  it('lists the accepted bids by page, masked, and a bidder’s own with mine=true', async () => {
    const id = auction();
    await open(id);
    for (const [t, amount] of [
      [alice, '100.00'],
      [bob, '150.00'],
      [alice, '120.00'],
      [alice, '200.00'],
      [bob, '250.00'],
    ] as const)
      await bid(id, t, { amount });
    const leader = await g.call('GET', `/v1/auctions/${id}/leader`);
    expect(leader.body).toMatchObject({ amount: '250.00', currency: 'EUR', bidCount: 4 });
    expect(leader.body.leader).toMatch(/^Bidder /);
    expect(leader.body.endsInSeconds).toBeGreaterThan(3000);
    const page1 = await g.call('GET', `/v1/auctions/${id}/bids?limit=2`);
    const bids1 = page1.body.bids as { amount: string; bidder: string; source: string }[];
    expect(bids1.map((b) => b.amount)).toEqual(['100.00', '150.00']);
    expect(bids1[0]).toMatchObject({ bidder: g.masks.bidder('sale-1', 'alice'), source: 'api' });
    const page2 = await g.call(
      'GET',
      `/v1/auctions/${id}/bids?limit=10&cursor=${String(page1.body.nextCursor)}`,
    );
    expect((page2.body.bids as { amount: string }[]).map((b) => b.amount)).toEqual(['200.00', '250.00']);
    // A bidder's own bids, chosen by who is signed in (not by the short public mask).
    const mine = await g.call('GET', `/v1/auctions/${id}/bids?mine=true&limit=10`, { token: bob });
    expect((mine.body.bids as { amount: string }[]).map((b) => b.amount)).toEqual(['150.00', '250.00']);
    const anonymous = await g.call('GET', `/v1/auctions/${id}/bids?mine=true`);
    expect([anonymous.status, anonymous.body.error?.code]).toEqual([401, 'UNAUTHENTICATED']);
    const none = await g.call('GET', `/v1/auctions/${id}/bids?limit=0`);
    expect([none.status, none.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    const hex = await g.call('GET', `/v1/auctions/${id}/bids?limit=0x10`);
    expect([hex.status, hex.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(hex.body.error?.message).toContain('limit');
    const bad = await g.call('GET', `/v1/auctions/${id}/bids?cursor=nope`);
    expect([bad.status, bad.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(bad.body.error?.message).toContain('cursor');
  });
});

describe('the bid rate limit in process', () => {
  it('answers 429 RATE_LIMITED with Retry-After past the burst, per bidder', async () => {
    const g = await handlerGateway({ ratePerSecond: 2, rateBurst: 4 });
    try {
      await g.store!.configure(timedSetup('rl', Date.now()));
      const alice = await g.sign('alice', 'bidder');
      // Not eligible: every bid is refused (403), but each one still counts against the limit.
      const answers: JsonAnswer[] = [];
      for (let i = 0; i < 8; i++)
        answers.push(
          await g.call('POST', '/v1/auctions/rl/bids', { token: alice, body: { amount: '100.00' } }),
        );
      const limited = answers.filter((a) => a.status === 429);
      expect(answers.slice(0, 4).map((a) => a.status)).toEqual([403, 403, 403, 403]);
      expect(limited.length).toBeGreaterThanOrEqual(1);
      expect(limited[0]!.body.error?.code).toBe('RATE_LIMITED');
      expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Another bidder has a pool of their own.
      const bob = await g.sign('bob', 'bidder');
      expect(
        (await g.call('POST', '/v1/auctions/rl/bids', { token: bob, body: { amount: '100.00' } })).status,
      ).toBe(403);
    } finally {
      await g.close();
    }
  });
});
