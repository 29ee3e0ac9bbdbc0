import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBiddingStore } from './memory-store.ts';
import { RedisBiddingStore } from './redis-store.ts';
import { BID_ASSURANCES, type AuctionSetup, type BidRequest, type BiddingStore } from '../core/types.ts';
import { timedSetup } from '../../test/support/bidding.ts';
import { prng } from '../../test/support/random.ts';
import { redisNamespace } from '../../test/support/redis-namespace.ts';

const ns = redisNamespace('bidding-equivalence');
afterAll(() => ns.cleanup());

const T0 = 1_800_000_000_000;
const SEEDS = (process.env.GAVEL_EQUIVALENCE_SEEDS ?? '1,2,3,4,5,6,7,8').split(',').map(Number);

type Op =
  | { op: 'bid'; req: BidRequest; advance: number }
  | { op: 'eligibility'; auctionId: string; bidderId: string; limit: number | undefined }
  | { op: 'status'; auctionId: string; status: 'open' | 'on_hold' | 'fair_warning' };

/** Generates a reproducible mixed workload: proxy maximums, reused keys, revocations, holds, soft close. */
function workload(seed: number, auctions: AuctionSetup[]): Op[] {
  const r = prng(seed);
  const bidders = Array.from({ length: 12 }, (_, i) => `b${i}`);
  const ops: Op[] = [];
  const keys: {
    bidderId: string;
    key: string;
    amount: number;
    max: number | undefined;
    auctionId: string;
  }[] = [];
  const price = new Map(auctions.map((a) => [a.id, a.opening]));
  for (let i = 0; i < 600; i++) {
    const a = r.pick(auctions);
    const roll = r.next();
    if (roll < 0.04) {
      ops.push({
        op: 'eligibility',
        auctionId: a.id,
        bidderId: r.pick(bidders),
        limit: r.next() < 0.5 ? undefined : r.int(1, 60) * 10_000,
      });
    } else if (roll < 0.06 && a.mode === 'live') {
      ops.push({
        op: 'status',
        auctionId: a.id,
        status: r.pick(['open', 'on_hold', 'fair_warning'] as const),
      });
    } else if (roll < 0.12 && keys.length > 0) {
      const k = r.pick(keys);
      const amount = r.next() < 0.7 ? k.amount : k.amount + 5_000;
      ops.push({
        op: 'bid',
        advance: r.int(0, 3000),
        req: {
          auctionId: k.auctionId,
          bidderId: k.bidderId,
          amount,
          max: k.max,
          idempotencyKey: k.key,
          source: 'api',
        },
      });
    } else {
      const base = price.get(a.id)!;
      const amount = Math.max(0, base + r.int(-3, 8) * 5_000);
      const max = r.next() < 0.3 ? amount + r.int(0, 20) * 5_000 : undefined;
      const bidderId = r.pick(bidders);
      const key = `s${seed}-k${i}`;
      keys.push({ bidderId, key, amount, max, auctionId: a.id });
      price.set(a.id, Math.max(base, amount));
      ops.push({
        op: 'bid',
        advance: r.int(0, 3000),
        req: {
          auctionId: a.id,
          bidderId,
          amount,
          max,
          idempotencyKey: key,
          source: r.pick(['api', 'sms', 'floor'] as const),
          // Recorded with the decision (the default comes from the source).
          assurance: r.next() < 0.3 ? r.pick(BID_ASSURANCES) : undefined,
        },
      });
    }
  }
  return ops;
}

async function run(
  store: BiddingStore,
  clock: { now: number },
  auctions: AuctionSetup[],
  ops: Op[],
): Promise<unknown[]> {
  for (const a of auctions) {
    await store.configure(a);
    for (let b = 0; b < 12; b++) await store.setEligibility(a.id, `b${b}`, 400_000);
  }
  const out: unknown[] = [];
  for (const op of ops) {
    if (op.op === 'eligibility') await store.setEligibility(op.auctionId, op.bidderId, op.limit);
    else if (op.op === 'status') await store.setStatus(op.auctionId, op.status);
    else {
      clock.now += op.advance;
      out.push(await store.placeBid(op.req));
    }
  }
  for (const a of auctions) {
    out.push(await store.snapshot(a.id));
    out.push((await store.decisions(a.id)).map(({ streamId: _s, ...rest }) => rest));
    // The bid listing's index, all and per bidder.
    for (const bidderId of [undefined, 'b0', 'b1', 'b2'])
      out.push(
        (await store.acceptedBids(a.id, { bidderId, count: 1000 })).map(({ streamId: _s, ...rest }) => rest),
      );
  }
  return out;
}

describe('the Redis script and the in-process store decide identically', () => {
  it.each(SEEDS)('seed %i', async (seed) => {
    const auctions = [
      timedSetup(`eq-${seed}-timed`, T0, {
        endsAt: T0 + 600_000,
        softCloseMs: 120_000,
        softCloseCapMs: 400_000,
        reserve: 150_000,
      }),
      timedSetup(`eq-${seed}-plain`, T0, { endsAt: T0 + 900_000, graceMs: 5_000 }),
      timedSetup(`eq-${seed}-live`, T0, { mode: 'live', opening: 50_000 }),
    ];
    const ops = workload(seed, auctions);
    const memClock = { now: T0 };
    const redisClock = { now: T0 };
    const memory = await run(new MemoryBiddingStore({ clock: () => memClock.now }), memClock, auctions, ops);
    const redis = await run(
      new RedisBiddingStore({ redis: ns.redis, prefix: `${ns.prefix}:${seed}`, clock: () => redisClock.now }),
      redisClock,
      auctions,
      ops,
    );
    expect(redis).toEqual(memory);
    // The workload must exercise the interesting paths, or the comparison proves little.
    const reasons = new Set(
      (memory as { reason?: string; kind?: string; extended?: boolean }[]).map((d) => d.reason ?? d.kind),
    );
    for (const r of ['bid', 'OUTBID', 'TOO_LOW']) expect(reasons).toContain(r);
  });
});
