import { afterAll, describe, expect, it } from 'vitest';
import { decide, initialState } from '../core/decide.ts';
import { RedisBiddingStore } from './redis-store.ts';
import { isBidRecord, type BidRequest } from '../core/types.ts';
import { timedSetup } from '../../test/support/bidding.ts';
import { prng } from '../../test/support/random.ts';
import { redisNamespace } from '../../test/support/redis-namespace.ts';

const ns = redisNamespace('bidding-concurrency');
afterAll(() => ns.cleanup());

/** Several connections, so bids really race each other inside Redis rather than queue on one socket. */
function pool(size: number): RedisBiddingStore[] {
  return Array.from(
    { length: size },
    () => new RedisBiddingStore({ redis: ns.connect(), prefix: ns.prefix }),
  );
}

describe('concurrent bids on real Redis', () => {
  it('1,000 concurrent bids of the same amount: exactly one accepted', async () => {
    const stores = pool(8);
    const now = Date.now();
    const setup = timedSetup('same-amount', now);
    await stores[0]!.configure(setup);
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) => stores[0]!.setEligibility(setup.id, `bidder-${i}`, 10_000_000)),
    );
    const decisions = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        stores[i % stores.length]!.placeBid({
          auctionId: setup.id,
          bidderId: `bidder-${i}`,
          amount: 50_000,
          idempotencyKey: `k-${i}`,
          source: 'api',
        }),
      ),
    );
    const accepted = decisions.filter((d) => d.outcome === 'accepted');
    expect(accepted).toHaveLength(1);
    expect(decisions.filter((d) => d.reason === 'OUTBID')).toHaveLength(999);
    expect(new Set(decisions.map((d) => d.seq)).size).toBe(1000);
    const snap = await stores[0]!.snapshot(setup.id);
    expect(snap).toMatchObject({
      price: 50_000,
      leaderId: accepted[0]!.bidderId,
      bidCount: 1,
      lastSeq: 1000,
    });
    expect(await stores[0]!.decisions(setup.id, '0', 5000)).toHaveLength(1000);
  }, 30_000);

  it('10,000 concurrent random bids from 100 bidders: the stream is a valid serial history', async () => {
    const stores = pool(8);
    const now = Date.now();
    const setup = timedSetup('random-burst', now, { reserve: 300_000 });
    await stores[0]!.configure(setup);
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => stores[0]!.setEligibility(setup.id, `bidder-${i}`, 5_000_000)),
    );
    const r = prng(42);
    const requests: BidRequest[] = Array.from({ length: 10_000 }, (_, i) => ({
      auctionId: setup.id,
      bidderId: `bidder-${r.int(0, 99)}`,
      amount: r.int(2, 800) * 5_000,
      max: r.next() < 0.2 ? r.int(2, 900) * 5_000 : undefined,
      idempotencyKey: `burst-${i}`,
      source: 'api',
    }));
    const decisions = await Promise.all(requests.map((req, i) => stores[i % stores.length]!.placeBid(req)));

    const recorded = (await stores[0]!.decisions(setup.id, '0', 20_000)).filter(isBidRecord);
    // Every decision once, in sequence order, and each caller got the answer that was recorded.
    expect(recorded.map((d) => d.decision.seq)).toEqual(Array.from({ length: 10_000 }, (_, i) => i + 1));
    const bySeq = new Map(decisions.map((d) => [d.seq, d]));
    for (const rec of recorded) expect(bySeq.get(rec.decision.seq)).toEqual(rec.decision);

    // Replaying the recorded order through the pure decision function gives the same answers:
    // the atomic script behaved as if the bids had arrived one at a time.
    const state = initialState(setup);
    for (const rec of recorded) {
      const d = rec.decision;
      const replay = decide(
        setup,
        state,
        {
          auctionId: setup.id,
          bidderId: d.bidderId,
          amount: d.amount,
          max: rec.max,
          idempotencyKey: rec.idempotencyKey,
          source: rec.source,
        },
        d.decidedAt,
        5_000_000,
      );
      expect(replay).toEqual(d);
    }
    const snap = await stores[0]!.snapshot(setup.id);
    expect(snap?.price).toBe(state.price);
    expect(snap?.leaderId).toBe(state.leaderId);
    // The final leader holds the highest maximum offered by an accepted bid.
    const accepted = recorded.filter((d) => d.decision.outcome === 'accepted');
    const best = Math.max(...accepted.map((d) => Math.max(d.decision.amount, d.max ?? 0)));
    const firstBest = accepted.find((d) => Math.max(d.decision.amount, d.max ?? 0) === best)!;
    expect(snap?.leaderId).toBe(firstBest.decision.bidderId);
  }, 60_000);
});
