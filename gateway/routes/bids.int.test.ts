import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timedSetup } from '../../test/support/bidding.ts';
import { postBid, startTestGavel } from '../../test/support/gavel.ts';
import { localPublisher } from '../../hub/index.ts';
import { connectSse, eventsBeforeMarker } from '../../test/support/sse-client.ts';
import { signClaims, tokenClaims } from '../../test/support/tokens.ts';
import type { RunningGateway } from '../server.ts';

describe('gateway bids (embedded, real HTTP and SSE)', () => {
  let g: RunningGateway;
  let alice: string;
  let bob: string;
  let auctioneer: string;
  const auction = (): string => `a-${randomUUID().slice(0, 8)}`;
  const key = (): string => randomUUID();

  async function open(id: string, overrides: Parameters<typeof timedSetup>[2] = {}): Promise<void> {
    await g.store!.configure(timedSetup(id, Date.now(), overrides));
    await g.store!.setEligibility(id, 'alice', 1_000_000);
    await g.store!.setEligibility(id, 'bob', 1_000_000);
  }

  /** A public marker on `topic`, once the engine has published everything it decided (see eventsBeforeMarker). */
  const marker =
    (topic: string) =>
    async (type: string): Promise<void> => {
      await g.engine.drain();
      await localPublisher(g.hub!).publish({ topics: [topic], data: '{}', type });
    };

  beforeAll(async () => {
    g = await startTestGavel({ ratePerSecond: 50, rateBurst: 100 });
    alice = await g.tokens.sign({ id: 'alice', role: 'bidder', name: 'Alice' });
    bob = await g.tokens.sign({ id: 'bob', role: 'bidder', name: 'Bob' });
    auctioneer = await g.tokens.sign({ id: 'clerk', role: 'auctioneer', name: 'Clerk' });
  });
  afterAll(async () => {
    await g.close();
  });

  it('accepts a bid (201) and pushes the new price to a subscriber', async () => {
    const id = auction();
    await open(id);
    const sse = await connectSse(
      `${g.hubUrl}?topic=${encodeURIComponent(`https://gavel.local/auctions/${id}`)}`,
    );
    const res = await postBid(g.url, id, alice, { amount: '150.00' }, key());
    expect(res.status).toBe(201);
    expect(res.body.bid).toMatchObject({
      outcome: 'accepted',
      amount: '150.00',
      price: '150.00',
      leading: true,
      currency: 'EUR',
    });
    const [ev] = await sse.waitFor(1);
    expect(ev?.event).toBe('auction');
    expect(JSON.parse(ev!.data)).toMatchObject({ auctionId: id, price: '150.00', bidCount: 1, seq: 1 });
    expect((JSON.parse(ev!.data) as { leader: string }).leader).toMatch(/^Bidder [0-9A-F]{6}$/);
    sse.close();
  });

  it('sends private updates: the new leader leads, the previous leader is outbid with their previous position', async () => {
    const id = auction();
    await open(id);
    const tokenFor = async (t: string): Promise<string> => {
      const r = await fetch(`${g.url}/v1/hub-token`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${t}` },
      });
      return ((await r.json()) as { token: string }).token;
    };
    const aliceSse = await connectSse(
      `${g.hubUrl}?topic=${encodeURIComponent('https://gavel.local/bidders/alice')}`,
      { headers: { Authorization: `Bearer ${await tokenFor(alice)}` } },
    );
    const bobSse = await connectSse(
      `${g.hubUrl}?topic=${encodeURIComponent('https://gavel.local/bidders/alice')}`,
      { headers: { Authorization: `Bearer ${await tokenFor(bob)}` } },
    );
    expect((await postBid(g.url, id, alice, { amount: '100.00' }, key())).status).toBe(201);
    expect((await postBid(g.url, id, bob, { amount: '200.00' }, key())).status).toBe(201);
    const events = await aliceSse.waitFor(2);
    expect(events.map((e) => e.event)).toEqual(['leading', 'outbid']);
    expect(JSON.parse(events[1]!.data)).toMatchObject({
      type: 'outbid',
      price: '200.00',
      yourPreviousBid: '100.00',
      asking: '250.00',
    });
    // Bob subscribed to Alice's private topic, but his token does not cover it: he gets nothing
    // before a public marker published on that topic after Alice had both her notices.
    expect(await eventsBeforeMarker(bobSse, marker('https://gavel.local/bidders/alice'))).toHaveLength(0);
    aliceSse.close();
    bobSse.close();
  });

  it('gives the snapshot with a resume point so the client gets exactly the later updates', async () => {
    const id = auction();
    await open(id);
    await postBid(g.url, id, alice, { amount: '100.00' }, key());
    await postBid(g.url, id, bob, { amount: '200.00' }, key());
    await g.engine.drain();
    const snapRes = await fetch(`${g.url}/v1/auctions/${id}`);
    const snap = (await snapRes.json()) as {
      auction: { price: string; seq: number };
      hub: { lastEventId: string; topics: string[] };
    };
    expect(snap.auction).toMatchObject({ price: '200.00', seq: 2 });
    expect(snapRes.headers.get('link')).toBe(
      `<${g.hubUrl}>; rel="mercure"; last-event-id="${snap.hub.lastEventId}"`,
    );
    await postBid(g.url, id, alice, { amount: '300.00' }, key());
    await g.engine.drain();
    const q = new URLSearchParams(snap.hub.topics.map((t): [string, string] => ['topic', t]));
    q.set('lastEventID', snap.hub.lastEventId);
    const sse = await connectSse(`${g.hubUrl}?${q.toString()}`);
    const [ev] = await sse.waitFor(1);
    expect(JSON.parse(ev!.data)).toMatchObject({ price: '300.00', seq: 3 });
    expect(await eventsBeforeMarker(sse, marker(`https://gavel.local/auctions/${id}`))).toHaveLength(1);
    sse.close();
  });

  it('answers a retry with the same Idempotency-Key once, with the same body', async () => {
    const id = auction();
    await open(id);
    const k = key();
    const first = await postBid(g.url, id, alice, { amount: '100.00' }, k);
    const again = await postBid(g.url, id, alice, { amount: '100.00' }, k);
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await g.store!.decisions(id)).toHaveLength(1);
    const reused = await postBid(g.url, id, alice, { amount: '900.00' }, k);
    expect(reused.status).toBe(422);
    expect(reused.body.error?.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('maps refusals to 409 / 403 with the reason code', async () => {
    const id = auction();
    await open(id);
    await g.store!.setEligibility(id, 'bob', 20_000);
    expect((await postBid(g.url, id, alice, { amount: '50.00' }, key())).body.error?.code).toBe('TOO_LOW');
    expect((await postBid(g.url, id, alice, { amount: '100.00' }, key())).status).toBe(201);
    const outbid = await postBid(g.url, id, bob, { amount: '100.00' }, key());
    expect(outbid.status).toBe(409);
    expect(outbid.body.error).toMatchObject({ code: 'OUTBID' });
    expect(outbid.body.error?.message).toContain('150.00');
    const over = await postBid(g.url, id, bob, { amount: '150.00', max: '900.00' }, key());
    expect(over.status).toBe(403);
    expect(over.body.error?.code).toBe('OVER_LIMIT');
    const carol = await g.tokens.sign({ id: 'carol', role: 'bidder', name: 'Carol' });
    const ne = await postBid(g.url, id, carol, { amount: '150.00' }, key());
    expect([ne.status, ne.body.error?.code]).toEqual([403, 'NOT_ELIGIBLE']);
    const closed = auction();
    await open(closed, { startsAt: Date.now() - 10_000, endsAt: Date.now() - 5_000, graceMs: 0 });
    const c = await postBid(g.url, closed, alice, { amount: '150.00' }, key());
    expect([c.status, c.body.error?.code]).toEqual([409, 'CLOSED']);
    const notYet = auction();
    await open(notYet, { startsAt: Date.now() + 60_000 });
    const ns = await postBid(g.url, notYet, alice, { amount: '150.00' }, key());
    expect([ns.status, ns.body.error?.code]).toEqual([409, 'NOT_STARTED']);
  });

  it.each([
    ['no Idempotency-Key', { amount: '100.00' }, undefined, 400, 'MISSING_IDEMPOTENCY_KEY'],
    ['malformed JSON', '{"amount":', 'k', 400, 'BAD_JSON'],
    ['too many decimals', { amount: '100.001' }, 'k', 400, 'BAD_SCALE'],
    ['a float number', { amount: 100.5 }, 'k', 400, 'VALIDATION_FAILED'],
    ['a negative amount', { amount: '-5.00' }, 'k', 400, 'BAD_AMOUNT'],
    ['exponent notation', { amount: '1e3' }, 'k', 400, 'BAD_AMOUNT'],
    ['a zero amount', { amount: '0' }, 'k', 400, 'BAD_AMOUNT'],
    ['an absurd amount', { amount: '99999999999999999' }, 'k', 400, 'AMOUNT_TOO_LARGE'],
    ['max below amount', { amount: '200.00', max: '100.00' }, 'k', 400, 'MAX_BELOW_AMOUNT'],
    ['an unknown field', { amount: '100.00', price: '1' }, 'k', 400, 'VALIDATION_FAILED'],
    ['no amount', {}, 'k', 400, 'VALIDATION_FAILED'],
  ] as const)('refuses %s with a clear 4xx', async (_label, body, k, status, code) => {
    const id = auction();
    await open(id);
    const res = await postBid(g.url, id, alice, body, k === undefined ? undefined : `${k}-${randomUUID()}`);
    expect(res.status).toBe(status);
    expect(res.body.error?.code).toBe(code);
    expect(res.body.error?.message.length).toBeGreaterThan(5);
    expect(await g.store!.decisions(id)).toHaveLength(0);
  });

  it('refuses unauthenticated, wrong-role, expired, unknown-auction and wrong-media-type requests', async () => {
    const id = auction();
    await open(id);
    expect((await postBid(g.url, id, undefined, { amount: '100.00' }, key())).status).toBe(401);
    const wrongRole = await postBid(g.url, id, auctioneer, { amount: '100.00' }, key());
    expect([wrongRole.status, wrongRole.body.error?.code]).toEqual([403, 'FORBIDDEN']);
    const now = Math.floor(Date.now() / 1000);
    const aliceClaims = tokenClaims({ id: 'alice', role: 'bidder' }, 'api');
    const expired = await signClaims(g.config.userJwtKey!, {
      ...aliceClaims,
      iat: now - 3600,
      exp: now - 120,
    });
    const ex = await postBid(g.url, id, expired, { amount: '100.00' }, key());
    expect([ex.status, ex.body.error?.code]).toEqual([401, 'TOKEN_EXPIRED']);
    const forged = await signClaims('not-the-key-but-just-as-long-as-one', aliceClaims);
    expect((await postBid(g.url, id, forged, { amount: '100.00' }, key())).body.error?.code).toBe(
      'TOKEN_INVALID',
    );
    const unknown = await postBid(g.url, 'no-such-auction', alice, { amount: '100.00' }, key());
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'UNKNOWN_AUCTION']);
    const media = await postBid(g.url, id, alice, 'amount=1', key(), { 'Content-Type': 'text/plain' });
    expect([media.status, media.body.error?.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const big = await postBid(
      g.url,
      id,
      alice,
      JSON.stringify({ amount: '1', pad: 'x'.repeat(20_000) }),
      key(),
    );
    expect([big.status, big.body.error?.code]).toEqual([413, 'BODY_TOO_LARGE']);
    expect(await g.store!.decisions(id)).toHaveLength(0);
  });
});

describe('gateway rate limit', () => {
  it('answers 429 with Retry-After past the burst', async () => {
    const g = await startTestGavel({ ratePerSecond: 5, rateBurst: 10 });
    try {
      await g.store!.configure(timedSetup('rl', Date.now()));
      await g.store!.setEligibility('rl', 'alice', 1_000_000);
      const alice = await g.tokens.sign({ id: 'alice', role: 'bidder', name: 'Alice' });
      const results = await Promise.all(
        Array.from({ length: 14 }, (_, i) =>
          postBid(g.url, 'rl', alice, { amount: `${100 + i * 50}.00` }, `rl-${i}`),
        ),
      );
      const limited = results.filter((r) => r.status === 429);
      expect(limited.length).toBeGreaterThanOrEqual(4);
      expect(results.filter((r) => r.status !== 429)).toHaveLength(10);
      expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(limited[0]!.body.error?.code).toBe('RATE_LIMITED');
    } finally {
      await g.close();
    }
  });
});
