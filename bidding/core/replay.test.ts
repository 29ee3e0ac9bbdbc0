import { describe, expect, it } from 'vitest';
import { decide, initialState } from './decide.ts';
import { isReplayableBid, replayStanding, type ReplayBid } from './replay.ts';
import { bidAnswersFromLedger, type LedgerBidRow } from './ledger-answers.ts';
import type { BidDecision, BidRequest } from './types.ts';
import { timedSetup } from '../../test/support/bidding.ts';
import { prng } from '../../test/support/random.ts';

const T0 = 1_800_000_000_000;
const setup = timedSetup('replay', T0, { endsAt: T0 + 600_000 });
const bid = (seq: number, bidderId: string, amount: number, max?: number): ReplayBid => ({
  seq,
  bidderId,
  amount,
  max,
  decidedAt: T0 + seq,
});

describe('replayStanding', () => {
  it('respects proxies: A max 500.00 then B 300.00 → A leads one increment above; cancel A → B leads at 300.00', () => {
    const a = bid(1, 'A', 10_000, 50_000);
    const b = bid(2, 'B', 30_000);
    expect(replayStanding(setup, [a, b])).toEqual({
      price: 35_000,
      leaderId: 'A',
      leaderMax: 50_000,
      bidCount: 2,
    });
    expect(replayStanding(setup, [b])).toEqual({
      price: 30_000,
      leaderId: 'B',
      leaderMax: 30_000,
      bidCount: 1,
    });
  });

  it('decides in seq order whatever order the bids come in, the earlier of equal maximums standing', () => {
    const bids = [bid(3, 'C', 25_000, 90_000), bid(1, 'A', 10_000, 90_000), bid(2, 'B', 15_000)];
    expect(replayStanding(setup, bids)).toEqual({
      price: 90_000,
      leaderId: 'A',
      leaderMax: 90_000,
      bidCount: 3,
    });
    // Without A, C leads at their own amount (above one increment over B).
    expect(replayStanding(setup, bids.slice(0, 1).concat(bids.slice(2)))).toEqual({
      price: 25_000,
      leaderId: 'C',
      leaderMax: 90_000,
      bidCount: 2,
    });
  });

  it('applies the reserve lift and gives an empty standing for no bids', () => {
    const withReserve = { ...setup, reserve: 40_000 };
    expect(replayStanding(withReserve, [bid(1, 'A', 10_000, 45_000)])).toMatchObject({ price: 40_000 });
    expect(replayStanding(setup, [])).toEqual({ price: 0, leaderId: undefined, leaderMax: 0, bidCount: 0 });
  });

  it('ignores time windows and eligibility: bids were valid when placed', () => {
    const closed = { ...setup, status: 'closed' as const, endsAt: T0 - 1, startsAt: T0 + 1_000_000 };
    expect(replayStanding(closed, [bid(1, 'A', 10_000)])).toMatchObject({ leaderId: 'A', price: 10_000 });
  });

  it('refuses live lots', () => {
    expect(() => replayStanding({ ...setup, mode: 'live' }, [])).toThrow(RangeError);
  });

  it('keeps accepted and outbid bids, drops bids refused for other reasons', () => {
    expect(isReplayableBid({ outcome: 'accepted', reason: null })).toBe(true);
    expect(isReplayableBid({ outcome: 'rejected', reason: 'OUTBID' })).toBe(true);
    for (const reason of [
      'TOO_LOW',
      'NOT_ELIGIBLE',
      'OVER_LIMIT',
      'CLOSED',
      'IDEMPOTENCY_KEY_REUSED',
    ] as const)
      expect(isReplayableBid({ outcome: 'rejected', reason })).toBe(false);
  });

  it.each([1, 2, 3, 4, 5])(
    'matches the engine on a random history (seed %i), and rebuilds every answer',
    (seed) => {
      const r = prng(seed);
      const s = initialState(setup);
      const decisions: { d: BidDecision; req: BidRequest }[] = [];
      let now = T0;
      for (let i = 0; i < 300; i++) {
        now += r.int(0, 500);
        const amount = Math.max(0, s.price + r.int(-2, 6) * 5_000);
        const req: BidRequest = {
          auctionId: setup.id,
          bidderId: `b${r.int(0, 7)}`,
          amount,
          max: r.next() < 0.4 ? amount + r.int(0, 30) * 5_000 : undefined,
          idempotencyKey: `k${i}`,
          source: 'api',
        };
        // Some bidders lose eligibility now and then: those refusals must not count in the replay.
        const limit = r.next() < 0.05 ? undefined : 10_000_000;
        decisions.push({ d: decide(setup, s, req, now, limit), req });
      }
      const rows: LedgerBidRow[] = decisions.map(({ d, req }) => ({
        seq: d.seq,
        bidderId: d.bidderId,
        amount: d.amount,
        max: req.max ?? null,
        outcome: d.outcome,
        reason: d.reason ?? null,
        kind: d.kind ?? null,
        price: d.price,
        leaderId: d.leaderId ?? null,
        priceChanged: d.priceChanged,
        endsAt: d.endsAt,
        extended: d.extended,
        decidedAt: d.decidedAt,
        idempotencyKey: req.idempotencyKey,
      }));
      const replayable = rows.filter(isReplayableBid);
      expect(replayable.length).toBeLessThan(rows.length);
      expect(replayStanding(setup, replayable)).toEqual({
        price: s.price,
        leaderId: s.leaderId,
        leaderMax: s.leaderMax,
        bidCount: s.bidCount,
      });
      // The answers rebuilt from the ledger columns are the answers the engine gave.
      const answers = bidAnswersFromLedger(setup, rows);
      expect(answers.map((a) => ({ ...a.decision, replayed: false }))).toEqual(decisions.map((x) => x.d));
    },
  );
});
