import { randomUUID } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { isBidRecord, type BidRequest, type BiddingStore } from './types.ts';
import { storeImplementations, timedSetup, type StoreHarness } from '../test/support/bidding.ts';
import { redisNamespace } from '../test/support/redis-namespace.ts';

const T0 = 1_800_000_000_000;
const ns = redisNamespace('bidding-contract');
afterAll(() => ns.cleanup());

type Harness = StoreHarness;

const implementations = storeImplementations(ns, T0);

describe.each(implementations)('bidding store contract (%s)', (_name, make) => {
  let h: Harness;
  let auction: string;
  let n = 0;
  const bid = (
    bidderId: string,
    amount: number,
    extra: Partial<BidRequest> = {},
  ): Promise<ReturnType<BiddingStore['placeBid']> extends Promise<infer D> ? D : never> =>
    h.store.placeBid({
      auctionId: auction,
      bidderId,
      amount,
      idempotencyKey: `k${++n}`,
      source: 'api',
      ...extra,
    });

  beforeEach(async () => {
    h = make();
    auction = randomUUID();
    await h.store.configure(timedSetup(auction, T0));
    for (const b of ['alice', 'bob', 'carol']) await h.store.setEligibility(auction, b, 100_000_000);
  });

  it('takes the opening bid and refuses one below it', async () => {
    expect((await bid('alice', 9_999)).reason).toBe('TOO_LOW');
    const d = await bid('alice', 10_000);
    expect(d).toMatchObject({
      outcome: 'accepted',
      kind: 'bid',
      price: 10_000,
      leaderId: 'alice',
      bidCount: 1,
      priceChanged: true,
    });
    expect((await h.store.snapshot(auction))?.nextMinimum).toBe(15_000);
  });

  it('applies the increment table by price band', async () => {
    await bid('alice', 95_000);
    expect((await bid('bob', 99_999)).reason).toBe('TOO_LOW');
    expect((await bid('bob', 100_000)).outcome).toBe('accepted');
    expect((await bid('alice', 109_999)).reason).toBe('TOO_LOW');
    expect((await bid('alice', 110_000)).outcome).toBe('accepted');
  });

  it('gives an equal amount to the first decided and OUTBID to the second', async () => {
    expect((await bid('alice', 20_000)).outcome).toBe('accepted');
    const second = await bid('bob', 20_000);
    expect(second).toMatchObject({ outcome: 'rejected', reason: 'OUTBID', leaderId: 'alice', price: 20_000 });
  });

  it('never lets the leader outbid themself, but lets them raise their maximum', async () => {
    await bid('alice', 20_000);
    expect((await bid('alice', 30_000)).outcome).toBe('accepted'); // a higher amount from the leader raises their maximum
    expect((await h.store.snapshot(auction))?.price).toBe(20_000);
    expect((await bid('alice', 25_000)).reason).toBe('ALREADY_LEADING');
    const raised = await bid('alice', 20_000, { max: 90_000 });
    expect(raised).toMatchObject({
      outcome: 'accepted',
      kind: 'max_raised',
      price: 20_000,
      priceChanged: false,
    });
  });

  it('bids for a proxy maximum one increment above the competition', async () => {
    await bid('alice', 10_000, { max: 300_000 });
    const b = await bid('bob', 200_000);
    expect(b).toMatchObject({
      outcome: 'rejected',
      reason: 'OUTBID',
      priceChanged: true,
      leaderId: 'alice',
      price: 210_000,
    });
    const c = await bid('carol', 250_000, { max: 800_000 });
    expect(c).toMatchObject({
      outcome: 'accepted',
      leaderId: 'carol',
      price: 310_000,
      previousLeaderId: 'alice',
      previousPrice: 210_000,
    });
    // The maximum is confidential: the snapshot shows the price, never 800,000.
    expect(JSON.stringify(await h.store.snapshot(auction))).not.toContain('800000');
  });

  it('lets the earlier of two equal maximums stand', async () => {
    await bid('alice', 10_000, { max: 300_000 });
    const b = await bid('bob', 20_000, { max: 300_000 });
    expect(b).toMatchObject({ reason: 'OUTBID', leaderId: 'alice', price: 300_000 });
  });

  it('lifts the price to the reserve when a maximum reaches it', async () => {
    await h.store.configure(timedSetup(auction, T0, { reserve: 400_000 }));
    const a = await bid('alice', 10_000, { max: 500_000 });
    expect(a).toMatchObject({ outcome: 'accepted', price: 400_000 });
    expect((await h.store.snapshot(auction))?.reserveMet).toBe(true);
  });

  it('keeps the reserve unmet when no maximum reaches it', async () => {
    await h.store.configure(timedSetup(auction, T0, { reserve: 400_000 }));
    await bid('alice', 10_000, { max: 300_000 });
    const s = await h.store.snapshot(auction);
    expect(s).toMatchObject({ price: 10_000, reserveMet: false });
  });

  it('refuses bidders who are not eligible, revoked, or over their limit', async () => {
    expect((await bid('mallory', 10_000)).reason).toBe('NOT_ELIGIBLE');
    await h.store.setEligibility(auction, 'dave', 50_000);
    expect((await bid('dave', 60_000)).reason).toBe('OVER_LIMIT');
    expect((await bid('dave', 10_000, { max: 60_000 })).reason).toBe('OVER_LIMIT');
    expect((await bid('dave', 10_000)).outcome).toBe('accepted');
    await h.store.setEligibility(auction, 'dave', undefined);
    expect((await bid('dave', 10_000, { max: 20_000 })).reason).toBe('NOT_ELIGIBLE');
  });

  it('refuses before the start and after the end plus grace, accepts within grace', async () => {
    await h.store.configure(timedSetup(auction, T0, { status: 'scheduled' }));
    expect((await bid('alice', 10_000)).reason).toBe('NOT_STARTED');
    await h.store.configure(timedSetup(auction, T0, { startsAt: T0 + 1000, endsAt: T0 + 10_000 }));
    expect((await bid('alice', 10_000)).reason).toBe('NOT_STARTED');
    h.clock.now = T0 + 11_999;
    expect((await bid('alice', 10_000)).outcome).toBe('accepted');
    h.clock.now = T0 + 12_001;
    expect((await bid('bob', 20_000)).reason).toBe('CLOSED');
    await h.store.setStatus(auction, 'cancelled');
    h.clock.now = T0;
    expect((await bid('bob', 20_000)).reason).toBe('CLOSED');
  });

  it('extends the end on a late bid (soft close), up to the cap, and refuses after the true end', async () => {
    await h.store.configure(
      timedSetup(auction, T0, {
        endsAt: T0 + 60_000,
        graceMs: 0,
        softCloseMs: 30_000,
        softCloseCapMs: 50_000,
      }),
    );
    h.clock.now = T0 + 10_000;
    expect((await bid('alice', 10_000)).extended).toBe(false);
    h.clock.now = T0 + 45_000;
    const late = await bid('bob', 20_000);
    expect(late).toMatchObject({ outcome: 'accepted', extended: true, endsAt: T0 + 90_000 });
    h.clock.now = T0 + 80_000;
    const capped = await bid('alice', 30_000);
    expect(capped).toMatchObject({ extended: true, endsAt: T0 + 110_000 });
    h.clock.now = T0 + 109_000;
    expect((await bid('bob', 40_000)).extended).toBe(false);
    h.clock.now = T0 + 110_001;
    expect((await bid('alice', 50_000)).reason).toBe('CLOSED');
    expect((await h.store.snapshot(auction))?.endsAt).toBe(T0 + 110_000);
  });

  it('answers a retried idempotency key with the same decision and no second effect', async () => {
    const req: BidRequest = {
      auctionId: auction,
      bidderId: 'alice',
      amount: 10_000,
      idempotencyKey: 'same',
      source: 'api',
    };
    const first = await h.store.placeBid(req);
    const again = await h.store.placeBid(req);
    expect(again).toEqual({ ...first, replayed: true });
    expect(await h.store.decisions(auction)).toHaveLength(1);
    expect((await h.store.placeBid({ ...req, amount: 20_000 })).reason).toBe('IDEMPOTENCY_KEY_REUSED');
    // Keys are per bidder: bob's "same" is a different request.
    expect((await h.store.placeBid({ ...req, bidderId: 'bob', amount: 20_000 })).outcome).toBe('accepted');
  });

  it('numbers every decision and records each once in the decision stream', async () => {
    await bid('alice', 5_000);
    await bid('alice', 10_000);
    await bid('bob', 10_000);
    const recorded = (await h.store.decisions(auction)).filter(isBidRecord);
    expect(recorded.map((r) => [r.decision.seq, r.decision.outcome, r.decision.reason])).toEqual([
      [1, 'rejected', 'TOO_LOW'],
      [2, 'accepted', undefined],
      [3, 'rejected', 'OUTBID'],
    ]);
    const tail = (await h.store.decisions(auction, recorded[0]!.streamId)).filter(isBidRecord);
    expect(tail.map((r) => r.decision.seq)).toEqual([2, 3]);
  });

  it('refuses an unknown auction without effect', async () => {
    const d = await h.store.placeBid({
      auctionId: 'nope-' + randomUUID(),
      bidderId: 'alice',
      amount: 10_000,
      idempotencyKey: 'x',
      source: 'api',
    });
    expect(d).toMatchObject({ outcome: 'rejected', reason: 'UNKNOWN_AUCTION', seq: 0 });
  });

  it('runs a live lot at the asking price', async () => {
    await h.store.configure(timedSetup(auction, T0, { mode: 'live', opening: 100_000 }));
    expect((await bid('alice', 50_000)).reason).toBe('TOO_LOW');
    const a = await bid('alice', 100_000);
    expect(a).toMatchObject({ outcome: 'accepted', price: 100_000, asking: 110_000 });
    expect((await bid('bob', 100_000)).reason).toBe('OUTBID');
    expect((await bid('alice', 110_000)).reason).toBe('ALREADY_LEADING');
    expect((await bid('bob', 110_000)).outcome).toBe('accepted');
    await h.store.setStatus(auction, 'on_hold');
    expect((await bid('alice', 120_000)).reason).toBe('ON_HOLD');
  });
});
