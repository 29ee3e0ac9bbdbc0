import { randomUUID } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { acceptedByKey, auctionKeys } from '../keys.ts';
import { replayStanding } from '../core/replay.ts';
import { bidAnswersFromLedger, type LedgerBidRow } from '../core/ledger-answers.ts';
import {
  isBidRecord,
  isRestateRecord,
  type AuctionSetup,
  type BidDecision,
  type BidRequest,
  type BiddingStore,
  type RecordedBid,
  type RestoreState,
} from '../core/types.ts';
import { storeImplementations, timedSetup, type StoreHarness } from '../../test/support/bidding.ts';
import { redisNamespace } from '../../test/support/redis-namespace.ts';

const T0 = 1_800_000_000_000;
const ns = redisNamespace('bidding-contract');
afterAll(() => ns.cleanup());

type Harness = StoreHarness;

/** A decision as the ledger's `bids` table keeps it (no previous standing, bid count, asking or reserve flag). */
function ledgerRow(e: RecordedBid): LedgerBidRow {
  const d = e.decision;
  return {
    seq: d.seq,
    bidderId: d.bidderId,
    amount: d.amount,
    max: e.max ?? null,
    outcome: d.outcome,
    reason: d.reason ?? null,
    kind: d.kind ?? null,
    price: d.price,
    leaderId: d.leaderId ?? null,
    priceChanged: d.priceChanged,
    endsAt: d.endsAt,
    extended: d.extended,
    decidedAt: d.decidedAt,
    idempotencyKey: e.idempotencyKey,
    source: e.source,
    streamId: e.streamId,
  };
}

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

  it('lists the accepted bids that took the lead from its index, in pages, all or one bidder’s', async () => {
    await bid('alice', 5_000); // TOO_LOW
    await bid('alice', 10_000, { source: 'sms' });
    await bid('bob', 10_000); // OUTBID
    await bid('bob', 20_000, { max: 50_000 });
    await bid('bob', 20_000, { max: 60_000 }); // max_raised: not a new lead
    await bid('carol', 30_000); // answered by bob's maximum: OUTBID
    await bid('carol', 70_000);
    await bid('alice', 80_000);
    const all = await h.store.acceptedBids(auction);
    expect(all.map((b) => [b.seq, b.bidderId, b.amount, b.price, b.source])).toEqual([
      [2, 'alice', 10_000, 10_000, 'sms'],
      [4, 'bob', 20_000, 20_000, 'api'],
      [7, 'carol', 70_000, 70_000, 'api'],
      [8, 'alice', 80_000, 80_000, 'api'],
    ]);
    expect(all[0]!.decidedAt).toBe(T0);
    // The cursor is the decision's stream id: the same ids the decision stream has.
    const ids = new Map((await h.store.decisions(auction)).map((e) => [e.streamId, e]));
    expect(all.every((b) => ids.has(b.streamId))).toBe(true);
    const first = await h.store.acceptedBids(auction, { count: 2 });
    expect(first.map((b) => b.seq)).toEqual([2, 4]);
    const next = await h.store.acceptedBids(auction, { after: first[1]!.streamId, count: 2 });
    expect(next.map((b) => b.seq)).toEqual([7, 8]);
    expect(await h.store.acceptedBids(auction, { after: next[1]!.streamId })).toEqual([]);
    const alice = await h.store.acceptedBids(auction, { bidderId: 'alice' });
    expect(alice.map((b) => b.seq)).toEqual([2, 8]);
    expect(
      (await h.store.acceptedBids(auction, { bidderId: 'alice', after: alice[0]!.streamId })).map(
        (b) => b.seq,
      ),
    ).toEqual([8]);
    expect(await h.store.acceptedBids(auction, { bidderId: 'nobody' })).toEqual([]);
    expect(await h.store.acceptedBids('no-such-auction')).toEqual([]);
    // A retried key has no second entry.
    const d = await bid('bob', 90_000, { idempotencyKey: 'again' });
    await bid('bob', 90_000, { idempotencyKey: 'again' });
    expect((await h.store.acceptedBids(auction, { after: next[1]!.streamId })).map((b) => b.seq)).toEqual([
      d.seq,
    ]);
  });

  it("records each bid's assurance: as given, else what its channel gives", async () => {
    await bid('alice', 10_000);
    await bid('bob', 20_000, { source: 'sms' });
    await bid('carol', 30_000, { source: 'whatsapp', assurance: 'confirmed' });
    await bid('alice', 40_000, { source: 'sms', assurance: 'caller_id' });
    await bid('bob', 1, { source: 'api', assurance: 'session' });
    const recorded = (await h.store.decisions(auction)).filter(isBidRecord);
    expect(recorded.map((r) => [r.source, r.assurance])).toEqual([
      ['api', 'session'],
      ['sms', 'caller_id'],
      ['whatsapp', 'confirmed'],
      ['sms', 'caller_id'],
      ['api', 'session'],
    ]);
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

  describe('recovery (restore) and admin restate', () => {
    const LIMIT = 100_000_000;
    const eligibility = { alice: LIMIT, bob: LIMIT, carol: LIMIT };

    /** The engine loses the auction's state and stream (Redis FLUSH, or a new in-process store). */
    const lose = async (name: string): Promise<void> => {
      if (name === 'redis') {
        const k = auctionKeys(ns.prefix, auction);
        await ns.redis.del(
          k.state,
          k.eligibility,
          k.idempotency,
          k.decisions,
          k.accepted,
          ...['alice', 'bob', 'carol'].map((b) => acceptedByKey(ns.prefix, auction, b)),
        );
      } else {
        const now = h.clock.now;
        h = make();
        h.clock.now = now;
      }
    };

    /** What the orchestrator would restore from its ledger rows. */
    const fromLedger = (setup: AuctionSetup, rows: LedgerBidRow[], endsAt: number): RestoreState => {
      const last = rows.at(-1)!;
      const standing = replayStanding(
        setup,
        rows.filter((r) => r.outcome === 'accepted' || r.reason === 'OUTBID'),
      );
      expect(standing.price).toBe(last.price);
      expect(standing.leaderId).toBe(last.leaderId ?? undefined);
      return {
        setup,
        status: 'open',
        endsAt,
        ...standing,
        seq: last.seq,
        eligibility,
        answers: bidAnswersFromLedger(setup, rows),
      };
    };

    it('rebuilds a lost auction from the ledger: same answers to retries, seq goes on, end kept', async () => {
      const setup = timedSetup(auction, T0, {
        endsAt: T0 + 60_000,
        softCloseMs: 30_000,
        softCloseCapMs: 0,
        reserve: 250_000,
      });
      await h.store.configure(setup);
      const reqs: BidRequest[] = [
        {
          auctionId: auction,
          bidderId: 'alice',
          amount: 10_000,
          max: 300_000,
          idempotencyKey: 'a1',
          source: 'api',
        },
        { auctionId: auction, bidderId: 'bob', amount: 255_000, idempotencyKey: 'b0', source: 'api' },
        { auctionId: auction, bidderId: 'bob', amount: 300_000, idempotencyKey: 'b1', source: 'sms' },
        {
          auctionId: auction,
          bidderId: 'alice',
          amount: 20_000,
          max: 350_000,
          idempotencyKey: 'a2',
          source: 'api',
        },
        {
          auctionId: auction,
          bidderId: 'carol',
          amount: 310_000,
          max: 800_000,
          idempotencyKey: 'c1',
          source: 'api',
        },
      ];
      const answers: BidDecision[] = [];
      for (const r of reqs) {
        h.clock.now += 10_000; // the last one lands inside the soft-close window
        answers.push(await h.store.placeBid(r));
      }
      expect(answers.map((d) => d.reason ?? d.kind)).toEqual([
        'bid',
        'TOO_LOW',
        'OUTBID',
        'max_raised',
        'bid',
      ]);
      const before = await h.store.snapshot(auction);
      expect(before).toMatchObject({ leaderId: 'carol', price: 360_000, lastSeq: 5, reserveMet: true });
      expect(before!.endsAt).toBeGreaterThan(setup.endsAt);
      const rows = (await h.store.decisions(auction)).filter(isBidRecord).map(ledgerRow);

      await lose(_name);
      expect(await h.store.snapshot(auction)).toBeUndefined();
      const restored = await h.store.restore(fromLedger(setup, rows, before!.endsAt));
      expect(restored).toEqual({ restored: true, auctionId: auction, seq: 5, answers: 5 });
      expect(await h.store.snapshot(auction)).toEqual(before);
      // Nothing appended: the ledger already has every decision.
      expect(await h.store.decisions(auction)).toEqual([]);

      // A retry of a bid acknowledged before the loss: the same answer, no second effect.
      for (const [i, r] of reqs.entries())
        expect(await h.store.placeBid(r)).toEqual({ ...answers[i], replayed: true });
      expect(await h.store.decisions(auction)).toEqual([]);
      expect((await h.store.placeBid({ ...reqs[0]!, amount: 11_000 })).reason).toBe('IDEMPOTENCY_KEY_REUSED');

      // Bidding goes on from the restored standing and seq; the leader's maximum still answers.
      const low = await bid('bob', 350_000);
      expect(low).toMatchObject({ seq: 6, outcome: 'rejected', reason: 'OUTBID' });
      // Past the scheduled end (T0 + 60 s) but inside the extended one: still open.
      h.clock.now = T0 + 70_000;
      const proxied = await bid('bob', 500_000);
      expect(proxied).toMatchObject({ seq: 7, reason: 'OUTBID', leaderId: 'carol', price: 525_000 });
      h.clock.now = T0 + 100_000;
      const high = await bid('bob', 900_000);
      expect(high).toMatchObject({ seq: 8, outcome: 'accepted', leaderId: 'bob', price: 900_000 });
      // Soft close extends from the restored end, not from the scheduled one.
      expect(proxied.endsAt).toBe(before!.endsAt + 30_000);
      expect(high.endsAt).toBe(before!.endsAt + 60_000);
      const after = (await h.store.decisions(auction)).filter(isBidRecord);
      expect(after.map((e) => e.decision.seq)).toEqual([6, 7, 8]);
    });

    it('refuses to restore over live state unless forced, and only one of two racing recoveries wins', async () => {
      await bid('alice', 10_000);
      const state: RestoreState = {
        setup: timedSetup(auction, T0),
        status: 'open',
        endsAt: T0 + 3_600_000,
        price: 50_000,
        leaderId: 'bob',
        leaderMax: 60_000,
        bidCount: 3,
        seq: 9,
        eligibility,
      };
      expect(await h.store.restore(state)).toMatchObject({
        restored: false,
        reason: 'EXISTS',
        existingSeq: 1,
      });
      expect(await h.store.snapshot(auction)).toMatchObject({ price: 10_000, leaderId: 'alice', lastSeq: 1 });

      expect(await h.store.restore({ ...state, force: true })).toMatchObject({ restored: true, seq: 9 });
      expect(await h.store.snapshot(auction)).toMatchObject({
        price: 50_000,
        leaderId: 'bob',
        bidCount: 3,
        lastSeq: 9,
        nextMinimum: 55_000,
      });
      // Forced: the old idempotency answers are gone with the old state; the stream stays.
      expect(await h.store.decisions(auction)).toHaveLength(1);
      expect(await bid('carol', 55_000)).toMatchObject({ seq: 10, reason: 'OUTBID', price: 60_000 });
      expect(await bid('carol', 70_000)).toMatchObject({ seq: 11, outcome: 'accepted', price: 70_000 });

      await lose(_name);
      const results = await Promise.all([
        h.store.restore(state),
        h.store.restore({ ...state, price: 40_000, seq: 12 }),
      ]);
      expect(results.filter((r) => r.restored)).toHaveLength(1);
      expect(results.filter((r) => !r.restored).map((r) => (r.restored ? '' : r.reason))).toEqual(['EXISTS']);
    });

    it('re-installs thousands of answers in one step', async () => {
      await lose(_name);
      const setup = timedSetup(auction, T0);
      const answers = Array.from({ length: 3_000 }, (_, i) => ({
        bidderId: `b${i % 40}`,
        idempotencyKey: `k${i}`,
        amount: 10_000 + i,
        max: i % 2 === 0 ? undefined : 20_000 + i,
        decision: {
          seq: i + 1,
          auctionId: auction,
          bidderId: `b${i % 40}`,
          outcome: 'rejected' as const,
          reason: 'OUTBID' as const,
          kind: undefined,
          amount: 10_000 + i,
          price: 50_000,
          leaderId: 'alice',
          previousPrice: 50_000,
          previousLeaderId: 'alice',
          priceChanged: false,
          bidCount: 1,
          endsAt: T0 + 3_600_000,
          extended: false,
          asking: 55_000,
          reserveMet: true,
          decidedAt: T0 + i,
        },
      }));
      const r = await h.store.restore({
        setup,
        status: 'open',
        endsAt: T0 + 3_600_000,
        price: 50_000,
        leaderId: 'alice',
        leaderMax: 50_000,
        bidCount: 1,
        seq: 3_000,
        eligibility,
        answers,
      });
      expect(r).toMatchObject({ restored: true, answers: 3_000 });
      for (const i of [0, 1, 1_777, 2_999]) {
        const a = answers[i]!;
        const retry = await h.store.placeBid({
          auctionId: auction,
          bidderId: a.bidderId,
          amount: a.amount,
          max: a.max,
          idempotencyKey: a.idempotencyKey,
          source: 'api',
        });
        expect(retry).toEqual({ ...a.decision, replayed: true });
      }
      expect(await h.store.decisions(auction)).toEqual([]);
    });

    it('refuses an inconsistent state without writing anything', async () => {
      await lose(_name);
      const setup = timedSetup(auction, T0);
      const base = { setup, status: 'open' as const, endsAt: T0, seq: 1 };
      for (const bad of [
        { ...base, price: 10_000, leaderId: undefined, leaderMax: 0, bidCount: 1 },
        { ...base, price: 10_000, leaderId: 'alice', leaderMax: 5_000, bidCount: 1 },
        { ...base, price: -1, leaderId: 'alice', leaderMax: 5_000, bidCount: 1 },
        { ...base, price: 0, leaderId: undefined, leaderMax: 0, bidCount: 0, seq: 1.5 },
        { ...base, price: 0, leaderId: undefined, leaderMax: 0, bidCount: 0, afterStreamId: '12' },
      ]) {
        expect(await h.store.restore(bad)).toMatchObject({ restored: false, reason: 'INVALID_REQUEST' });
      }
      expect(await h.store.snapshot(auction)).toBeUndefined();
    });

    it('raises the stream id so decisions after the recovery sort after what the ledger read', async () => {
      await lose(_name);
      const after = `${T0 + 86_400_000}-7`;
      const r = await h.store.restore({
        setup: timedSetup(auction, T0),
        status: 'open',
        endsAt: T0 + 3_600_000,
        price: 0,
        leaderId: undefined,
        leaderMax: 0,
        bidCount: 0,
        seq: 4,
        eligibility,
        afterStreamId: after,
      });
      expect(r.restored).toBe(true);
      expect(await h.store.decisions(auction)).toEqual([]);
      await bid('alice', 10_000);
      const [e] = await h.store.decisions(auction);
      expect(e?.streamId).toBe(`${T0 + 86_400_000}-8`);
    });

    it('restores a live lot at its standing bid (no absentees or undo history)', async () => {
      await lose(_name);
      const setup = timedSetup(auction, T0, { mode: 'live', opening: 100_000 });
      const r = await h.store.restore({
        setup,
        status: 'fair_warning',
        endsAt: setup.endsAt,
        price: 120_000,
        leaderId: 'paddle:7',
        leaderMax: 120_000,
        leaderKind: 'floor',
        standingSeq: 6,
        bidCount: 3,
        seq: 8,
        eligibility,
      });
      expect(r.restored).toBe(true);
      expect(await h.store.snapshot(auction)).toMatchObject({
        status: 'fair_warning',
        price: 120_000,
        asking: 130_000,
        leaderKind: 'floor',
        leaderPaddle: '7',
        standingSeq: 6,
        undoAvailable: false,
      });
      expect(await bid('alice', 130_000)).toMatchObject({ seq: 9, outcome: 'accepted', asking: 140_000 });
      const rejected = await h.store.floorAction({
        auctionId: auction,
        idempotencyKey: 'rj',
        action: 'reject_bid',
        seq: 9,
      });
      expect(rejected).toMatchObject({ seq: 10, outcome: 'accepted', leaderId: 'paddle:7', price: 120_000 });
      const again = await h.store.floorAction({
        auctionId: auction,
        idempotencyKey: 'rj2',
        action: 'reject_bid',
        seq: 6,
      });
      expect(again).toMatchObject({ outcome: 'rejected', reason: 'NOTHING_TO_REJECT' });
    });

    it('restates a timed auction: standing replaced, seq taken, recorded, idempotent', async () => {
      const a = await bid('alice', 10_000, { max: 300_000 });
      const b = await bid('bob', 200_000);
      expect(b).toMatchObject({ reason: 'OUTBID', price: 210_000, bidCount: 2 });
      // An admin cancels alice's bid: the standing is what bob's bid alone makes.
      const standing = replayStanding(timedSetup(auction, T0), [
        { seq: b.seq, bidderId: 'bob', amount: 200_000, max: undefined, decidedAt: b.decidedAt },
      ]);
      expect(standing).toEqual({ price: 200_000, leaderId: 'bob', leaderMax: 200_000, bidCount: 1 });
      h.clock.now += 1_000;
      const req = {
        auctionId: auction,
        idempotencyKey: 'cancel-1',
        reason: `bid_cancelled:${a.seq}`,
        actor: 'admin-1',
        standing,
        correlationId: 'req-9',
      };
      const r = await h.store.restate(req);
      expect(r).toEqual({
        seq: 3,
        auctionId: auction,
        outcome: 'accepted',
        reason: undefined,
        previous: { price: 210_000, leaderId: 'alice', bidCount: 2 },
        standing: { price: 200_000, leaderId: 'bob', bidCount: 1 },
        status: 'open',
        endsAt: T0 + 3_600_000,
        asking: 210_000,
        reserveMet: true,
        decidedAt: T0 + 1_000,
        replayed: false,
      });
      expect(await h.store.snapshot(auction)).toMatchObject({
        price: 200_000,
        leaderId: 'bob',
        bidCount: 1,
        lastSeq: 3,
        nextMinimum: 210_000,
      });
      const events = await h.store.decisions(auction);
      expect(events).toHaveLength(3);
      const rec = events[2]!;
      expect(isRestateRecord(rec) && !isBidRecord(rec)).toBe(true);
      expect(rec).toEqual({
        type: 'restate',
        streamId: rec.streamId,
        seq: 3,
        auctionId: auction,
        previous: { price: 210_000, leaderId: 'alice', bidCount: 2 },
        standing: { price: 200_000, leaderId: 'bob', bidCount: 1 },
        reason: `bid_cancelled:${a.seq}`,
        actor: 'admin-1',
        decidedAt: T0 + 1_000,
        idempotencyKey: 'cancel-1',
        correlationId: 'req-9',
      });
      // The maximum is confidential: not in the record.
      expect(JSON.stringify(rec)).not.toContain('leaderMax');

      expect(await h.store.restate(req)).toEqual({ ...r, replayed: true });
      expect(await h.store.decisions(auction)).toHaveLength(3);
      expect(
        await h.store.restate({ ...req, standing: { ...standing, price: 190_000, leaderMax: 200_000 } }),
      ).toMatchObject({ outcome: 'rejected', reason: 'IDEMPOTENCY_KEY_REUSED', seq: 0 });

      expect(await bid('carol', 205_000)).toMatchObject({ seq: 4, reason: 'TOO_LOW' });
      expect(await bid('carol', 210_000)).toMatchObject({ seq: 5, outcome: 'accepted', leaderId: 'carol' });
    });

    it("keeps the restated leader's maximum (confidential) and restates closed auctions too", async () => {
      await bid('alice', 10_000);
      await h.store.restate({
        auctionId: auction,
        idempotencyKey: 'r1',
        reason: 'test',
        actor: 'admin',
        standing: { price: 20_000, leaderId: 'bob', leaderMax: 400_000, bidCount: 2 },
      });
      expect(await bid('carol', 250_000)).toMatchObject({
        reason: 'OUTBID',
        leaderId: 'bob',
        price: 260_000,
      });
      await h.store.setStatus(auction, 'closed');
      const closed = await h.store.restate({
        auctionId: auction,
        idempotencyKey: 'r2',
        reason: 'bid_cancelled:1',
        actor: 'admin',
        standing: { price: 0, leaderId: undefined, leaderMax: 0, bidCount: 0 },
      });
      expect(closed).toMatchObject({ outcome: 'accepted', status: 'closed', asking: 10_000 });
      expect(await h.store.snapshot(auction)).toMatchObject({
        status: 'closed',
        leaderId: undefined,
        price: 0,
      });
    });

    it('refuses restate on live lots, unknown auctions and inconsistent standings, without effect', async () => {
      const standing = { price: 20_000, leaderId: 'bob', leaderMax: 20_000, bidCount: 1 };
      const req = { auctionId: auction, idempotencyKey: 'x', reason: 'r', actor: 'a', standing };
      expect(await h.store.restate({ ...req, auctionId: `nope-${randomUUID()}` })).toMatchObject({
        outcome: 'rejected',
        reason: 'UNKNOWN_AUCTION',
        seq: 0,
      });
      expect(await h.store.restate({ ...req, standing: { ...standing, leaderMax: 10_000 } })).toMatchObject({
        reason: 'INVALID_REQUEST',
      });
      expect(await h.store.restate({ ...req, standing: { ...standing, leaderId: undefined } })).toMatchObject(
        { reason: 'INVALID_REQUEST' },
      );
      await h.store.configure(timedSetup(auction, T0, { mode: 'live', opening: 100_000 }));
      expect(await h.store.restate(req)).toMatchObject({ outcome: 'rejected', reason: 'NOT_TIMED', seq: 0 });
      expect(await h.store.decisions(auction)).toEqual([]);
      expect((await h.store.snapshot(auction))?.lastSeq).toBe(0);
    });
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
