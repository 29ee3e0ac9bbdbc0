import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BidderMasks } from '../../bidding/index.ts';
import { DISTRIBUTED_GATEWAY_ENV, postBid, postWithKey, startTestGavel } from '../../test/support/gavel.ts';
import { connectSse } from '../../test/support/sse-client.ts';
import { gatewayConfigFromEnv } from '../config.ts';
import { seedDemo } from '../demo/seed.ts';
import type { RunningGateway } from '../server.ts';
import { biddingConfigFromEnv } from '../../bidding/index.ts';

const KEY = 'gateway-mask-test-key-0123456789abcdef-0123';
const unkeyed = (saleId: string, bidderId: string): string =>
  `Bidder ${createHash('sha256').update(`${saleId}\u0000${bidderId}`).digest('hex').slice(0, 6).toUpperCase()}`;

/** The keyed masks through the gateway: the engine's updates, the bid list, the floor, and a bidder's own. */
describe('bidder masks at the gateway (embedded demo, real HTTP and SSE)', () => {
  let g: RunningGateway;
  const masks = new BidderMasks(KEY);
  const tokens: Record<'alice' | 'bob' | 'clerk', string> = { alice: '', bob: '', clerk: '' };

  beforeAll(async () => {
    g = await startTestGavel({ demo: true, maskKey: KEY, ratePerSecond: 50, rateBurst: 100 });
    await seedDemo(g.store!);
    tokens.alice = await g.tokens.sign({ id: 'bidder-alice', role: 'bidder', name: 'Alice' });
    tokens.bob = await g.tokens.sign({ id: 'bidder-bob', role: 'bidder', name: 'Bob' });
    tokens.clerk = await g.tokens.sign({ id: 'demo-auctioneer', role: 'auctioneer', name: 'Clerk' });
  });
  afterAll(async () => {
    await g.close();
  });

  const me = async (
    saleId: string,
    token?: string,
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${g.url}/v1/sales/${saleId}/me`, {
      headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('tells a bidder their own mask, the one the room sees when they lead — not the unkeyed hash', async () => {
    const own = await me('autumn-timed', tokens.bob);
    expect(own.status).toBe(200);
    expect(own.body).toEqual({
      saleId: 'autumn-timed',
      bidderId: 'bidder-bob',
      mask: masks.bidder('autumn-timed', 'bidder-bob'),
    });
    expect(own.body.mask).not.toBe(unkeyed('autumn-timed', 'bidder-bob'));

    const sse = await connectSse(
      `${g.hubUrl}?topic=${encodeURIComponent('https://gavel.local/auctions/timed-2')}`,
    );
    expect((await postBid(g.url, 'timed-2', tokens.bob, { amount: '5000.00' }, randomUUID())).status).toBe(
      201,
    );
    const [ev] = await sse.waitFor(1, 10_000);
    expect((JSON.parse(ev!.data) as { leader: string }).leader).toBe(own.body.mask);
    sse.close();
    const snap = (await (await fetch(`${g.url}/v1/auctions/timed-2`)).json()) as {
      auction: { leader: string };
    };
    expect(snap.auction.leader).toBe(own.body.mask);
    const list = (await (await fetch(`${g.url}/v1/auctions/timed-2/bids`)).json()) as {
      bids: { bidder: string }[];
    };
    expect(list.bids.map((b) => b.bidder)).toEqual([own.body.mask]);
  });

  it('gives each bidder a different mask per sale, stable across calls', async () => {
    const alice = (await me('autumn-timed', tokens.alice)).body.mask;
    expect(alice).not.toBe((await me('autumn-timed', tokens.bob)).body.mask);
    expect((await me('autumn-timed', tokens.alice)).body.mask).toBe(alice);
    expect((await me('evening-live', tokens.alice)).body.mask).toBe(
      masks.bidder('evening-live', 'bidder-alice'),
    );
  });

  it('shows the floor console the same keyed mask', async () => {
    const post = (path: string, token: string, body?: unknown) => postWithKey(`${g.url}${path}`, token, body);
    expect((await post('/v1/auctions/live-2/floor/open', tokens.clerk)).status).toBe(200);
    expect((await post('/v1/auctions/live-2/bids', tokens.alice, { amount: '2500.00' })).status).toBe(201);
    const res = await fetch(`${g.url}/v1/auctions/live-2/floor`, {
      headers: { Authorization: `Bearer ${tokens.clerk}` },
    });
    const { lot } = (await res.json()) as { lot: { leader: { display: string } } };
    expect(lot.leader.display).toBe(masks.bidder('evening-live', 'bidder-alice'));
  });

  it('answers /me only to a signed-in bidder, for a sale that exists', async () => {
    expect((await me('autumn-timed')).status).toBe(401);
    const clerk = await me('autumn-timed', tokens.clerk);
    expect([clerk.status, (clerk.body.error as { code: string }).code]).toEqual([403, 'FORBIDDEN']);
    const unknown = await me('no-such-sale', tokens.alice);
    expect([unknown.status, (unknown.body.error as { code: string }).code]).toEqual([404, 'UNKNOWN_SALE']);
  });
});

describe('the mask key in configuration', () => {
  const { GAVEL_MASK_KEY: _set, ...distributed } = DISTRIBUTED_GATEWAY_ENV;
  it('is required when distributed (gateway and engine), at least 32 bytes', () => {
    expect(() => gatewayConfigFromEnv(distributed)).toThrow(/GAVEL_MODE=distributed needs GAVEL_MASK_KEY/);
    expect(gatewayConfigFromEnv({ ...distributed, GAVEL_MASK_KEY: KEY }).maskKey).toBe(KEY);
    expect(() => gatewayConfigFromEnv({ GAVEL_MASK_KEY: 'short' })).toThrow(
      /GAVEL_MASK_KEY: expected at least 32 bytes/,
    );
    const engine = {
      REDIS_URL: 'redis://127.0.0.1:6379',
      BIDDING_SERVICE_TOKEN: 'x'.repeat(32),
      HUB_PUBLISH_URL: 'redis://127.0.0.1:6379?prefix=gavel:{hub}',
    };
    expect(() => biddingConfigFromEnv(engine)).toThrow(/GAVEL_MASK_KEY is required/);
    expect(() => biddingConfigFromEnv({ ...engine, GAVEL_MASK_KEY: 'short' })).toThrow(/at least 32 bytes/);
    expect(biddingConfigFromEnv({ ...engine, GAVEL_MASK_KEY: KEY }).maskKey).toBe(KEY);
  });

  it('is random per run in the embedded default: two runs show different masks', async () => {
    const [a, b] = await Promise.all([
      startTestGavel({ maskKey: undefined }),
      startTestGavel({ maskKey: undefined }),
    ]);
    try {
      expect(a.config.maskKey).toMatch(/^[0-9a-f]{64}$/);
      expect(a.config.maskKey).not.toBe(b.config.maskKey);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
