import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBiddingStore, startBiddingService, type BiddingStore } from '../../bidding/index.ts';
import { createLogger } from '../../common/logger.ts';
import { timedSetup } from '../../test/support/bidding.ts';
import { startTestGavel } from '../../test/support/gavel.ts';
import { redisNamespace } from '../../test/support/redis-namespace.ts';
import { TEST_MASK_KEY } from '../../test/support/tokens.ts';
import type { RunningGateway } from '../server.ts';

/**
 * `GET /v1/auctions/{id}/bids` on an auction with tens of thousands of decisions, nearly all
 * refused: a page costs its own entries (read from the engine's index of accepted bids), not the
 * decisions before it. Work is measured as entries the store hands the listing, not as time.
 */
const ns = redisNamespace('bid-listing');
afterAll(() => ns.cleanup());

interface Listing {
  bids: { seq: number; amount: string; bidder: string; source: string }[];
  nextCursor: string;
}

const distributed = {
  mode: 'distributed',
  redisUrl: 'redis://127.0.0.1:6379',
  redisPrefix: ns.prefix,
  hubUrl: 'http://127.0.0.1:9/.well-known/mercure',
  hubPublishUrl: `redis://127.0.0.1:6379?prefix=${encodeURIComponent(`${ns.prefix}:{hub}`)}`,
  publisherKey: randomBytes(32).toString('hex'),
  userJwtKey: randomBytes(32).toString('hex'),
} as const;

/** A gateway, the store its engine reads, and how to stop both. */
interface Topology {
  g: RunningGateway;
  store: BiddingStore;
  close: () => Promise<void>;
}

const topologies: [string, number, () => Promise<Topology>][] = [
  [
    'embedded (in-process store)',
    50_000,
    async () => {
      const g = await startTestGavel();
      return { g, store: g.store!, close: () => g.close() };
    },
  ],
  [
    'distributed (Redis store in the gateway)',
    20_000,
    async () => {
      const g = await startTestGavel(distributed);
      return { g, store: g.store!, close: () => g.close() };
    },
  ],
  [
    'split (the engine process over its internal HTTP API)',
    20_000,
    async () => {
      const serviceToken = randomBytes(24).toString('hex');
      const bidding = await startBiddingService(
        {
          host: '127.0.0.1',
          port: 0,
          redisUrl: 'redis://127.0.0.1:6379',
          redisPrefix: ns.prefix,
          hubPublishUrl: distributed.hubPublishUrl,
          publisherKey: distributed.publisherKey,
          publisherAlg: 'HS256',
          maskKey: TEST_MASK_KEY,
          topicBase: 'https://gavel.local',
          serviceToken,
          logLevel: 'silent',
        },
        createLogger('bidding', 'silent'),
      );
      const g = await startTestGavel({
        ...distributed,
        biddingUrl: bidding.url,
        biddingServiceToken: serviceToken,
      });
      return {
        g,
        store: bidding.engine.store,
        close: async () => {
          await g.close();
          await bidding.close();
        },
      };
    },
  ],
];

describe.each(topologies)('bid listing, %s', (_label, decisions, start) => {
  let g: RunningGateway;
  let store: BiddingStore;
  let close: () => Promise<void>;
  const auction = `list-${randomUUID().slice(0, 8)}`;
  let examined = 0;
  let accepted = 0;

  beforeAll(async () => {
    ({ g, store, close } = await start());
    await store.configure(timedSetup(auction, Date.now()));
    for (const b of ['alice', 'bob', 'carol', 'dave'])
      await store.setEligibility(auction, b, 1_000_000_000_000);
    // Alice first, then Carol's refused bids (below the next minimum) with a leading bid by Bob or
    // Dave every 1,000 decisions, and Alice last.
    let price = 10_000;
    const place = (bidderId: string, amount: number, i: number): Promise<unknown> =>
      store.placeBid({ auctionId: auction, bidderId, amount, idempotencyKey: `k${i}`, source: 'api' });
    await place('alice', price, 0);
    for (let i = 1; i < decisions - 1; i += 500) {
      const batch: Promise<unknown>[] = [];
      for (let j = i; j < Math.min(i + 500, decisions - 1); j++) {
        if (j % 1_000 === 0) batch.push(place(j % 2_000 === 0 ? 'bob' : 'dave', (price += 1_000_000), j));
        else batch.push(place('carol', 1, j));
      }
      await Promise.all(batch);
    }
    await place('alice', price + 1_000_000, decisions);
    accepted = (await store.acceptedBids(auction, { count: 1000 })).length;
    // Count every entry the store hands the listing, whichever way it reads.
    const counted = <A extends unknown[], R extends unknown[]>(
      fn: (...a: A) => Promise<R>,
    ): ((...a: A) => Promise<R>) => {
      return async (...a: A) => {
        const r = await fn(...a);
        examined += r.length;
        return r;
      };
    };
    store.decisions = counted(store.decisions.bind(store));
    store.acceptedBids = counted(store.acceptedBids.bind(store));
  }, 120_000);
  afterAll(() => close());

  const list = async (query: string, token?: string): Promise<Listing> => {
    const res = await fetch(`${g.url}/v1/auctions/${auction}/bids?${query}`, {
      headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Listing;
  };

  it('has the decisions it claims', async () => {
    expect(accepted).toBe(2 + Math.floor((decisions - 2) / 1_000));
    const snap = await g.engine.snapshot(auction);
    expect(snap?.snapshot.lastSeq).toBe(decisions);
  });

  it('pages through every accepted bid examining only the bids it lists', async () => {
    examined = 0;
    const seen: number[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await list(cursor === undefined ? 'limit=20' : `limit=20&cursor=${cursor}`);
      if (page.bids.length === 0) break;
      seen.push(...page.bids.map((b) => b.seq));
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(accepted);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen[0]).toBe(1);
    expect(seen.at(-1)).toBe(decisions);
    // The listed bids, not the ~`decisions` refused ones between them.
    expect(examined).toBeLessThanOrEqual(accepted);
  }, 60_000);

  it("lists one bidder's own bids examining only theirs (mine=true)", async () => {
    const alice = await g.tokens.sign({ id: 'alice', role: 'bidder', name: 'Alice' });
    examined = 0;
    const mine = await list('mine=true&limit=20', alice);
    expect(mine.bids.map((b) => b.seq)).toEqual([1, decisions]);
    expect(examined).toBeLessThanOrEqual(2);
    const after = await list(`mine=true&limit=20&cursor=${mine.nextCursor}`, alice);
    expect(after).toMatchObject({ bids: [], nextCursor: mine.nextCursor });
  }, 60_000);
});

describe('the in-process decision stream', () => {
  it('is read from a cursor without walking it', async () => {
    const s = new MemoryBiddingStore();
    const auction = 'stream-read';
    await s.configure(timedSetup(auction, Date.now()));
    await s.setEligibility(auction, 'carol', 1_000_000);
    for (let i = 0; i < 50_000; i++)
      await s.placeBid({
        auctionId: auction,
        bidderId: 'carol',
        amount: 1,
        idempotencyKey: `k${i}`,
        source: 'api',
      });
    const all = await s.decisions(auction, '0', 50_000);
    expect(all).toHaveLength(50_000);
    const middle = all[25_000]!.streamId;
    // 2,000 reads of 200 entries from the middle: a walk of the whole list per read (the old
    // filter) is 10^8 comparisons and several seconds; a search is microseconds each.
    const started = performance.now();
    for (let i = 0; i < 2_000; i++) {
      const page = await s.decisions(auction, middle, 200);
      expect(page[0]).toBe(all[25_001]);
    }
    expect(performance.now() - started).toBeLessThan(2_000);
  }, 60_000);
});
